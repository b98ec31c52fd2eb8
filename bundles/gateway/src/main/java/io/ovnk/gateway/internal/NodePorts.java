package io.ovnk.gateway.internal;

import static io.ovnk.gateway.internal.GatewayNames.LOAD_BALANCER;
import static io.ovnk.gateway.internal.GatewayNames.ROUTER;
import static io.ovnk.gateway.internal.GatewayNames.TYPE_NODE;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * NodePort Services as plain OVN load balancers, one per gateway router and protocol
 * ({@code Service_nodeports_<node>_<PROTO>}, owned by the Node, attached to {@code GR_<node>}) holding every
 * NodePort VIP of that node: {@code <nodeIP>:<nodePort>} to the ready endpoints. Rows grow as nodes x protocols
 * (at most 3 per node), VIP entries as nodes x Services.
 *
 * <p>One term's index of what every Service calls for is kept here. A Service change is one transaction of
 * {@code mutate} operations inserting and deleting its keys of {@code vips} on each node's load balancer, never
 * a rewrite of the column, so different Services change at once (under the read lock) without taking each
 * other's entries out. A node's load balancers are written whole, from the index, when its gateway router is
 * created or its address changes (under the write lock, so no Service mutation interleaves), and removed with
 * the router; a Service that needs a protocol a node has no load balancer for yet takes the write lock too.
 */
final class NodePorts {

    /** The NodePort range, from {@code nodeport.range} ({@code 30000-32767}). */
    record Range(int first, int last) {
        static Range parse(String text) {
            String[] parts = text.trim().split("-");
            try {
                Range range = new Range(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[parts.length - 1].trim()));
                if (parts.length != 2 || range.first < 1 || range.last > 65535 || range.first > range.last) {
                    throw new NumberFormatException();
                }
                return range;
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("nodeport.range: \"" + text + "\" is not FIRST-LAST within 1-65535");
            }
        }

        boolean contains(int port) {
            return port >= first && port <= last;
        }

        @Override
        public String toString() {
            return first + "-" + last;
        }
    }

    /**
     * What one Service calls for on every node: protocol ({@code tcp}, {@code udp}, {@code sctp}) to node port to
     * its backends ({@code ip:port,...}, empty when no endpoint is ready).
     */
    record Ports(Map<String, Map<Integer, String>> byProtocol) {
        static final Ports NONE = new Ports(Map.of());

        Ports {
            Map<String, Map<Integer, String>> copy = new TreeMap<>();
            byProtocol.forEach((protocol, ports) -> {
                if (!ports.isEmpty()) {
                    copy.put(protocol, Map.copyOf(ports));
                }
            });
            byProtocol = Map.copyOf(copy);
        }

        Map<Integer, String> of(String protocol) {
            return byProtocol.getOrDefault(protocol, Map.of());
        }

        boolean isEmpty() {
            return byProtocol.isEmpty();
        }
    }

    /** A node whose load balancers this term wrote: its IP (the VIPs' address) and the protocols it has one for. */
    private record Known(String ip, Set<String> protocols) {
    }

    /** The options of every NodePort load balancer: a VIP without ready endpoints rejects, as ovn-kubernetes does. */
    static final Map<String, String> OPTIONS = Map.of("reject", "true");

    private final Northbound nb;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Ports> services = new ConcurrentHashMap<>();
    private final Map<String, Known> nodes = new ConcurrentHashMap<>();

    NodePorts(Northbound nb) {
        this.nb = nb;
    }

    /**
     * The NodePorts a Service calls for: none unless it is of type NodePort or LoadBalancer with node ports. A
     * node port outside the range or a protocol OVN does not balance is an IllegalArgumentException naming the
     * field.
     */
    static Ports ports(Service service, List<EndpointSlice> slices, Range range) {
        String type = service.getSpec().getType();
        if (!"NodePort".equals(type) && !"LoadBalancer".equals(type)) {
            return Ports.NONE;
        }
        Map<String, Map<Integer, String>> byProtocol = new TreeMap<>();
        List<ServicePort> ports = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort port = ports.get(i);
            if (port.getNodePort() == null || port.getNodePort() == 0) {
                continue; // LoadBalancer with allocateLoadBalancerNodePorts=false
            }
            String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
            if (!Set.of("TCP", "UDP", "SCTP").contains(protocol)) {
                throw new IllegalArgumentException("spec.ports[" + i + "].protocol: \"" + protocol
                        + "\" is not TCP, UDP or SCTP");
            }
            if (!range.contains(port.getNodePort())) {
                throw new IllegalArgumentException("spec.ports[" + i + "].nodePort: " + port.getNodePort()
                        + " is outside the NodePort range " + range);
            }
            Set<String> backends = new TreeSet<>();
            for (EndpointSlice slice : slices) {
                Integer target = targetPort(slice, port, protocol);
                if (!"IPv4".equals(slice.getAddressType()) || target == null || slice.getEndpoints() == null) {
                    continue;
                }
                for (Endpoint endpoint : slice.getEndpoints()) {
                    if (endpoint.getConditions() != null && Boolean.FALSE.equals(endpoint.getConditions().getReady())) {
                        continue;
                    }
                    for (String address : endpoint.getAddresses()) {
                        IpAddress ip = IpAddress.parse(address);
                        if (ip.family() == Family.IPV4) {
                            backends.add(ip + ":" + target);
                        }
                    }
                }
            }
            byProtocol.computeIfAbsent(protocol.toLowerCase(Locale.ROOT), p -> new TreeMap<>())
                    .put(port.getNodePort(), String.join(",", backends));
        }
        return new Ports(byProtocol);
    }

    private static Integer targetPort(EndpointSlice slice, ServicePort port, String protocol) {
        if (slice.getPorts() == null) {
            return null;
        }
        for (EndpointPort candidate : slice.getPorts()) {
            String candidateProtocol = candidate.getProtocol() == null ? "TCP" : candidate.getProtocol();
            if (Objects.equals(Objects.toString(candidate.getName(), ""), Objects.toString(port.getName(), ""))
                    && candidateProtocol.equals(protocol) && candidate.getPort() != null) {
                return candidate.getPort();
            }
        }
        return null;
    }

    /** The term begins: what every Service (that can be programmed) calls for, before the handlers run. */
    void seed(Map<String, Ports> all) {
        lock.writeLock().lock();
        try {
            services.clear();
            nodes.clear();
            all.forEach((service, ports) -> {
                if (!ports.isEmpty()) {
                    services.put(service, ports);
                }
            });
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Runs the node's gateway transaction, handing it what the node's load balancers must hold (protocol to VIP
     * to backends, from every Service; none when {@code ip} is empty: NodePorts off), or nothing when this term
     * wrote them already for the same address and the Services' mutations keep them in step.
     */
    boolean node(String node, Optional<IpAddress> ip, Function<Optional<Map<String, Map<String, String>>>, Boolean> write) {
        Known known = nodes.get(node);
        if (known != null && ip.isPresent() && known.ip().equals(ip.get().toString())) {
            return write.apply(Optional.empty());
        }
        lock.writeLock().lock();
        try {
            Map<String, Map<String, String>> balancers = ip.map(address -> balancers(address.toString(), null, null))
                    .orElse(Map.of());
            boolean changed = write.apply(Optional.of(balancers));
            if (ip.isPresent()) {
                nodes.put(node, new Known(ip.get().toString(), Set.copyOf(balancers.keySet())));
            } else {
                nodes.remove(node);
            }
            return changed;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Runs the node's removal; no Service mutation interleaves, and the next gateway of that name starts afresh. */
    boolean removeNode(String node, Supplier<Boolean> remove) {
        lock.writeLock().lock();
        try {
            nodes.remove(node);
            return remove.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Makes every known node's load balancers hold what the Service calls for ({@link Ports#NONE}: it is gone), in
     * one transaction; false when they already did.
     */
    boolean service(String service, Ports wanted) {
        lock.readLock().lock();
        try {
            Optional<Boolean> done = program(service, wanted, false);
            if (done.isPresent()) {
                return done.get();
            }
        } finally {
            lock.readLock().unlock();
        }
        lock.writeLock().lock(); // a node needs a load balancer for a protocol it has none for yet
        try {
            return program(service, wanted, true).orElseThrow();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Empty when a load balancer has to be created and {@code exclusive} is false. */
    private Optional<Boolean> program(String service, Ports wanted, boolean exclusive) {
        Ports old = services.getOrDefault(service, Ports.NONE);
        if (old.equals(wanted)) {
            return Optional.of(false);
        }
        Set<String> protocols = new TreeSet<>(old.byProtocol().keySet());
        protocols.addAll(wanted.byProtocol().keySet());
        List<Operation> ops = new ArrayList<>();
        Map<String, Set<String>> created = new HashMap<>();
        int named = 0;
        for (Map.Entry<String, Known> entry : new TreeMap<>(nodes).entrySet()) {
            String node = entry.getKey();
            Known known = entry.getValue();
            for (String protocol : protocols) {
                Map<Integer, String> before = old.of(protocol);
                Map<Integer, String> after = wanted.of(protocol);
                Set<String> deleted = new TreeSet<>();
                Map<String, String> inserted = new TreeMap<>();
                before.forEach((port, backends) -> {
                    if (!backends.equals(after.get(port))) {
                        deleted.add(vip(known.ip(), port));
                    }
                });
                after.forEach((port, backends) -> {
                    if (!backends.equals(before.get(port))) {
                        inserted.put(vip(known.ip(), port), backends);
                    }
                });
                String name = GatewayNames.nodePortBalancer(node, protocol);
                if (known.protocols().contains(protocol) && !(deleted.isEmpty() && inserted.isEmpty())) {
                    List<Mutation> mutations = new ArrayList<>();
                    if (!deleted.isEmpty()) {
                        mutations.add(Mutation.delete("vips", deleted)); // keys, whatever their values
                    }
                    if (!inserted.isEmpty()) {
                        mutations.add(Mutation.insert("vips", inserted)); // applied after the delete: a changed value
                    }
                    ops.add(Operation.mutate(LOAD_BALANCER).where(Condition.equal("name", name),
                            GatewayNames.ownedBy(TYPE_NODE, node)[0]).mutation(mutations.toArray(Mutation[]::new)));
                } else if (!known.protocols().contains(protocol) && !inserted.isEmpty()) {
                    if (!exclusive) {
                        return Optional.empty();
                    }
                    // the node's first load balancer of the protocol: every Service's VIPs of it, this one as wanted
                    String uuidName = "lb" + named++;
                    ops.add(Northbound.noneNamed(LOAD_BALANCER, name));
                    ops.add(Northbound.insert(LOAD_BALANCER, balancer(node, protocol,
                            balancers(known.ip(), service, wanted).get(protocol)), uuidName));
                    ops.add(Operation.mutate(ROUTER).where(Condition.equal("name", GatewayNames.gatewayRouter(node)))
                            .mutation(Mutation.insert("load_balancer", Set.of(NamedUuid.of(uuidName)))));
                    created.computeIfAbsent(node, n -> new HashSet<>()).add(protocol);
                }
            }
        }
        nb.commit(ops);
        if (wanted.isEmpty()) {
            services.remove(service);
        } else {
            services.put(service, wanted);
        }
        created.forEach((node, more) -> nodes.computeIfPresent(node, (n, known) -> {
            Set<String> all = new HashSet<>(known.protocols());
            all.addAll(more);
            return new Known(known.ip(), Set.copyOf(all));
        }));
        return Optional.of(!ops.isEmpty());
    }

    /** The columns of a node's load balancer for a protocol. */
    static Map<String, Object> balancer(String node, String protocol, Map<String, String> vips) {
        return Map.of("name", GatewayNames.nodePortBalancer(node, protocol), "protocol", Set.of(protocol),
                "vips", vips, "options", OPTIONS, "external_ids", GatewayNames.owned(TYPE_NODE, node));
    }

    /**
     * What a node's load balancers hold, by protocol (only protocols some Service uses): every Service's VIPs on
     * that address, {@code service} (if not null) taken as {@code instead}.
     */
    private Map<String, Map<String, String>> balancers(String ip, String service, Ports instead) {
        Map<String, Ports> all = new HashMap<>(services);
        if (service != null) {
            all.put(service, instead);
        }
        Map<String, Map<String, String>> balancers = new TreeMap<>();
        all.values().forEach(ports -> ports.byProtocol().forEach((protocol, byPort) -> byPort.forEach((port, backends) ->
                balancers.computeIfAbsent(protocol, p -> new TreeMap<>()).put(vip(ip, port), backends))));
        return balancers;
    }

    private static String vip(String ip, int port) {
        return ip + ":" + port;
    }
}
