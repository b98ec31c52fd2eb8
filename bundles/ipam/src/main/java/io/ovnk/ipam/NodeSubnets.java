package io.ovnk.ipam;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The subnets of one node, at most one per family, IPv4 first: what {@code k8s.ovn.org/node-subnets} records.
 * In each, the first host address is the gateway (the cluster router's port) and the second the node's
 * management port.
 */
public record NodeSubnets(String node, List<Cidr> subnets) {

    public NodeSubnets {
        Objects.requireNonNull(node, "node");
        subnets = List.copyOf(subnets);
    }

    public Optional<Cidr> subnet(Family family) {
        return subnets.stream().filter(subnet -> subnet.family() == family).findFirst();
    }

    /** The gateway of each subnet (network + 1), with the subnet's prefix length. */
    public List<Cidr> gateways() {
        return subnets.stream().map(subnet -> new Cidr(subnet.network().plus(1), subnet.prefixLength())).toList();
    }

    /** The management port's address of each subnet (network + 2), with the subnet's prefix length. */
    public List<Cidr> managementAddresses() {
        return subnets.stream().map(subnet -> new Cidr(subnet.network().plus(2), subnet.prefixLength())).toList();
    }

    /** The management port's MAC: derived from its IPv4 address, or from its IPv6 address on IPv6-only nodes. */
    public MacAddress managementMac() {
        return MacAddress.forAddress(managementAddresses().get(0).address());
    }
}
