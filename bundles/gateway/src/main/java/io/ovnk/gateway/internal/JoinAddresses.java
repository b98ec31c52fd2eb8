package io.ovnk.gateway.internal;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The gateway routers' addresses in the (IPv4) join subnet: one per node, never two nodes on one address, never
 * the network address, the broadcast address or {@code .1} (the cluster router's {@code rtoj} port). Next-fit, so
 * an address just released is handed out again only after the others. Rebuilt from the Northbound at each term.
 */
final class JoinAddresses {

    private final Cidr subnet;
    private final Map<String, IpAddress> byNode = new HashMap<>();
    private final TreeMap<IpAddress, String> byAddress = new TreeMap<>();
    private IpAddress next;

    JoinAddresses(Cidr subnet) {
        if (subnet.prefixLength() > 30) {
            throw new IllegalArgumentException("join subnet " + subnet + " is too small for gateway routers");
        }
        this.subnet = subnet.toNetwork();
        this.next = this.subnet.network().plus(2);
    }

    Cidr subnet() {
        return subnet;
    }

    /** The join subnet's first address, on the cluster router. */
    IpAddress clusterRouterAddress() {
        return subnet.network().plus(1);
    }

    /** The node's address, allocating one when it holds none. */
    synchronized IpAddress allocate(String node) {
        IpAddress held = byNode.get(node);
        if (held != null) {
            return held;
        }
        IpAddress first = subnet.network().plus(2);
        IpAddress last = subnet.last().plus(-1);
        IpAddress candidate = next;
        long size = (1L << subnet.hostBits()) - 3;
        for (long tried = 0; tried < size; tried++) {
            if (candidate.compareTo(last) > 0 || candidate.compareTo(first) < 0) {
                candidate = first;
            }
            if (!byAddress.containsKey(candidate)) {
                byNode.put(node, candidate);
                byAddress.put(candidate, node);
                next = candidate.plus(1);
                return candidate;
            }
            candidate = candidate.plus(1);
        }
        throw new IllegalStateException("node " + node + ": no gateway router address is left in the join subnet " + subnet);
    }

    /**
     * Records what the Northbound holds (a restart): false, and nothing recorded, when the address is outside the
     * subnet, reserved, or another node's.
     */
    synchronized boolean claim(String node, IpAddress address) {
        if (!subnet.contains(address) || address.equals(subnet.network()) || address.equals(clusterRouterAddress())
                || address.equals(subnet.last())) {
            return false;
        }
        String holder = byAddress.get(address);
        if (holder != null) {
            return holder.equals(node);
        }
        IpAddress previous = byNode.put(node, address);
        if (previous != null) {
            byAddress.remove(previous);
        }
        byAddress.put(address, node);
        return true;
    }

    synchronized Optional<IpAddress> of(String node) {
        return Optional.ofNullable(byNode.get(node));
    }

    synchronized boolean release(String node) {
        IpAddress address = byNode.remove(node);
        if (address != null) {
            byAddress.remove(address);
        }
        return address != null;
    }

    synchronized void clear() {
        byNode.clear();
        byAddress.clear();
        next = subnet.network().plus(2);
    }

    synchronized Map<String, IpAddress> snapshot() {
        return Map.copyOf(byNode);
    }
}
