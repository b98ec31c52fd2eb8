package io.ovnk.kube;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import io.ovnk.kube.internal.StrictJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code k8s.ovn.org/pod-networks}, as ovn-kubernetes writes it:
 * {@code {"default":{"ip_addresses":["10.128.4.5/23"],"mac_address":"0a:58:0a:80:04:05","gateway_ips":["10.128.4.1"],
 * "routes":[...],"ip_address":"10.128.4.5/23","gateway_ip":"10.128.4.1","role":"primary"}}}. The singular
 * {@code ip_address}/{@code gateway_ip} are deprecated copies; they are read when the plural ones are absent.
 */
public record PodNetworksAnnotation(Map<String, PodNetwork> networks) {

    public static final String DEFAULT_NETWORK = "default";

    public PodNetworksAnnotation {
        networks = Map.copyOf(networks);
    }

    public static PodNetworksAnnotation ofDefault(PodNetwork network) {
        return new PodNetworksAnnotation(Map.of(DEFAULT_NETWORK, network));
    }

    public PodNetwork defaultNetwork() {
        return networks.get(DEFAULT_NETWORK);
    }

    public static PodNetworksAnnotation parse(String value) {
        JsonNode root = StrictJson.object(value);
        Map<String, PodNetwork> networks = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : StrictJson.fields(root)) {
            String path = entry.getKey();
            JsonNode network = StrictJson.requiredObject(root, entry.getKey(), "");
            List<Cidr> addresses = StrictJson.list(network, "ip_addresses", path, StrictJson::cidr);
            if (addresses.isEmpty()) {
                String single = StrictJson.optionalText(network, "ip_address", path);
                if (single == null) {
                    throw new IllegalArgumentException(path + ".ip_addresses: missing (nor is ip_address given)");
                }
                addresses = List.of(StrictJson.value(path + ".ip_address", single, StrictJson::cidr));
            }
            MacAddress mac = StrictJson.value(path + ".mac_address",
                    StrictJson.requiredText(network, "mac_address", path), StrictJson::mac);
            List<IpAddress> gateways = StrictJson.list(network, "gateway_ips", path, StrictJson::ip);
            if (gateways.isEmpty()) {
                String single = StrictJson.optionalText(network, "gateway_ip", path);
                if (single != null && !single.isEmpty()) {
                    gateways = List.of(StrictJson.value(path + ".gateway_ip", single, StrictJson::ip));
                }
            }
            List<PodRoute> routes = new ArrayList<>();
            JsonNode routeArray = network.get("routes");
            if (routeArray != null && !routeArray.isNull()) {
                if (!routeArray.isArray()) {
                    throw new IllegalArgumentException(path + ".routes: expected an array");
                }
                for (int i = 0; i < routeArray.size(); i++) {
                    String at = path + ".routes[" + i + "]";
                    JsonNode route = routeArray.get(i);
                    if (!route.isObject()) {
                        throw new IllegalArgumentException(at + ": expected an object");
                    }
                    Cidr dest = StrictJson.value(at + ".dest", StrictJson.requiredText(route, "dest", at), StrictJson::cidr);
                    IpAddress nextHop = StrictJson.value(at + ".nextHop", StrictJson.requiredText(route, "nextHop", at),
                            StrictJson::ip);
                    try {
                        routes.add(new PodRoute(dest, nextHop));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
                    }
                }
            }
            String role = StrictJson.optionalText(network, "role", path);
            try {
                networks.put(entry.getKey(), new PodNetwork(addresses, mac, gateways, routes, role == null ? "primary" : role));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + "." + e.getMessage(), e);
            }
        }
        return new PodNetworksAnnotation(networks);
    }

    public String toJson() {
        ObjectNode root = StrictJson.mapper().createObjectNode();
        networks.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            PodNetwork network = entry.getValue();
            ObjectNode node = root.putObject(entry.getKey());
            ArrayNode addresses = node.putArray("ip_addresses");
            network.ipAddresses().forEach(address -> addresses.add(address.toString()));
            node.put("mac_address", network.macAddress().toString());
            if (!network.gatewayIps().isEmpty()) {
                ArrayNode gateways = node.putArray("gateway_ips");
                network.gatewayIps().forEach(gateway -> gateways.add(gateway.toString()));
            }
            if (!network.routes().isEmpty()) {
                ArrayNode routes = node.putArray("routes");
                network.routes().forEach(route -> routes.addObject().put("dest", route.dest().toString())
                        .put("nextHop", route.nextHop().toString()));
            }
            node.put("ip_address", network.ipAddresses().get(0).toString());
            if (!network.gatewayIps().isEmpty()) {
                node.put("gateway_ip", network.gatewayIps().get(0).toString());
            }
            node.put("role", network.role());
        });
        return root.toString();
    }
}
