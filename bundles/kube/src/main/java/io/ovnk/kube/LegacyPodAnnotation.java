package io.ovnk.kube;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import io.ovnk.kube.internal.StrictJson;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The seed era's {@code ovn} pod annotation, still written for old tooling:
 * {@code {"ip_address":"10.128.4.5/23","mac_address":"0a:58:0a:80:04:05","gateway_ip":"10.128.4.1"}}.
 */
public record LegacyPodAnnotation(Cidr ipAddress, MacAddress macAddress, IpAddress gatewayIp) {

    public LegacyPodAnnotation {
        Objects.requireNonNull(ipAddress, "ip_address");
        Objects.requireNonNull(macAddress, "mac_address");
        Objects.requireNonNull(gatewayIp, "gateway_ip");
    }

    public static LegacyPodAnnotation parse(String value) {
        JsonNode root = StrictJson.object(value);
        return new LegacyPodAnnotation(
                StrictJson.value("ip_address", StrictJson.requiredText(root, "ip_address", ""), StrictJson::cidr),
                StrictJson.value("mac_address", StrictJson.requiredText(root, "mac_address", ""), StrictJson::mac),
                StrictJson.value("gateway_ip", StrictJson.requiredText(root, "gateway_ip", ""), StrictJson::ip));
    }

    /** The seed annotation of a pod's default network: its first address (IPv4 first) and that family's gateway. */
    public static LegacyPodAnnotation of(PodNetwork network) {
        Cidr first = network.ipAddresses().get(0);
        IpAddress gateway = network.gatewayIps().stream().filter(ip -> ip.family() == first.family()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + first.family() + " gateway for " + first));
        return new LegacyPodAnnotation(first, network.macAddress(), gateway);
    }

    public String toJson() {
        ObjectNode root = StrictJson.mapper().createObjectNode();
        root.put("ip_address", ipAddress.toString());
        root.put("mac_address", macAddress.toString());
        root.put("gateway_ip", gatewayIp.toString());
        return root.toString();
    }
}
