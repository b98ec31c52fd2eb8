package io.ovnk.gateway.internal;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import java.util.List;

/**
 * What one node's gateway is made of, from its annotations: the chassis that hosts {@code GR_<node>}, the
 * localnet port's name ({@code interface-id}), the node's MAC, addresses and next hops on the external network,
 * its VLAN (0: none), its node subnets (for the source route on the cluster router), and whether NodePorts are on.
 */
record GatewaySpec(String node, String chassis, String interfaceId, MacAddress mac, List<Cidr> addresses,
        List<IpAddress> nextHops, int vlan, List<Cidr> nodeSubnets, boolean nodePorts) {

    GatewaySpec {
        addresses = List.copyOf(addresses);
        nextHops = List.copyOf(nextHops);
        nodeSubnets = List.copyOf(nodeSubnets);
    }

    /** The node's IPv4 address on the external network (the SNAT address and the NodePort address). */
    IpAddress nodeIp() {
        return addresses.stream().filter(c -> c.family() == Family.IPV4).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("ip-addresses: no IPv4 address")).address();
    }
}
