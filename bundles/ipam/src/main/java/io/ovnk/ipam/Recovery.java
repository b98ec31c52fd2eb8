package io.ovnk.ipam;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the cluster already records, handed to {@link Ipam#recover}: the node subnets from each node's
 * {@code k8s.ovn.org/node-subnets} and the pod addresses from each pod's {@code k8s.ovn.org/pod-networks}.
 */
public record Recovery(Map<String, List<Cidr>> nodeSubnets, List<AddressClaim> addresses) {

    public Recovery {
        nodeSubnets = Map.copyOf(nodeSubnets);
        addresses = List.copyOf(addresses);
    }

    /** One address a pod holds: {@code owner} names the pod ({@code namespace/name}), {@code node} where it runs. */
    public record AddressClaim(String owner, String node, IpAddress address) {
        public AddressClaim {
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(address, "address");
        }
    }
}
