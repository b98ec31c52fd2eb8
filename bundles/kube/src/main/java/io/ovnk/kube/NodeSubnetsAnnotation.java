package io.ovnk.kube;

import io.ovnk.ipam.Cidr;
import io.ovnk.kube.internal.StrictJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code k8s.ovn.org/node-subnets}: per network, the node's subnets, one per family:
 * {@code {"default":"10.128.4.0/23"}} or {@code {"default":["10.128.4.0/23","fd00:10:244:3::/64"]}}.
 */
public record NodeSubnetsAnnotation(Map<String, List<Cidr>> networks) {

    public static final String DEFAULT_NETWORK = "default";

    public NodeSubnetsAnnotation {
        networks = Map.copyOf(networks);
    }

    public static NodeSubnetsAnnotation ofDefault(List<Cidr> subnets) {
        return new NodeSubnetsAnnotation(Map.of(DEFAULT_NETWORK, subnets));
    }

    /** The subnets of the default network (empty if it has none). */
    public List<Cidr> defaultNetwork() {
        return networks.getOrDefault(DEFAULT_NETWORK, List.of());
    }

    public static NodeSubnetsAnnotation parse(String value) {
        JsonNode root = StrictJson.object(value);
        Map<String, List<Cidr>> networks = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> network : StrictJson.fields(root)) {
            List<Cidr> subnets = StrictJson.oneOrMany(root, network.getKey(), "", StrictJson::subnet);
            if (subnets.isEmpty()) {
                throw new IllegalArgumentException(network.getKey() + ": no subnet");
            }
            if (subnets.stream().map(Cidr::family).distinct().count() != subnets.size()) {
                throw new IllegalArgumentException(network.getKey() + ": more than one subnet of a family: " + subnets);
            }
            networks.put(network.getKey(), subnets);
        }
        return new NodeSubnetsAnnotation(networks);
    }

    /** As ovn-kubernetes writes it: a string for one subnet, an array for several. */
    public String toJson() {
        ObjectNode root = StrictJson.mapper().createObjectNode();
        networks.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(network -> {
            if (network.getValue().size() == 1) {
                root.put(network.getKey(), network.getValue().get(0).toString());
            } else {
                network.getValue().forEach(subnet -> root.withArray(network.getKey()).add(subnet.toString()));
            }
        });
        return root.toString();
    }
}
