package io.ovnk.cni.internal;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpAddress;
import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PodAttachment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The JSON the server answers: CNI results, the VERSION answer and CNI errors, as the spec's versions shape them. */
final class CniResults {

    private CniResults() {
    }

    /** {@code {"cniVersion":"1.1.0","supportedVersions":["0.3.1","0.4.0","1.0.0","1.1.0"]}} */
    static ObjectNode version() {
        ObjectNode root = CniRequestParser.JSON.createObjectNode();
        root.put("cniVersion", CniVersions.CURRENT);
        ArrayNode supported = root.putArray("supportedVersions");
        CniVersions.SUPPORTED.forEach(supported::add);
        return root;
    }

    /**
     * ADD's result: the host-side interface (0), the pod-side one (1, in the sandbox), each address on the pod
     * interface with its family's gateway, a default route per gateway then the annotation's routes, empty DNS.
     * Before 1.0.0 each IP carries {@code "version":"4"|"6"}.
     */
    static ObjectNode add(String cniVersion, PlumbedInterface plumbed, PodAttachment attachment) {
        ObjectNode root = CniRequestParser.JSON.createObjectNode();
        root.put("cniVersion", cniVersion);
        ArrayNode interfaces = root.putArray("interfaces");
        interfaces.addObject().put("name", plumbed.hostName()).put("mac", plumbed.hostMac());
        interfaces.addObject().put("name", plumbed.podName()).put("mac", plumbed.podMac())
                .put("sandbox", plumbed.sandbox());
        ArrayNode ips = root.putArray("ips");
        for (String address : attachment.addresses()) {
            Family family = Cidr.parse(address).family();
            ObjectNode ip = ips.addObject();
            if (CniVersions.ipsCarryVersion(cniVersion)) {
                ip.put("version", family == Family.IPV4 ? "4" : "6");
            }
            ip.put("address", address);
            attachment.gateways().stream().filter(gateway -> IpAddress.parse(gateway).family() == family).findFirst()
                    .ifPresent(gateway -> ip.put("gateway", gateway));
            ip.put("interface", 1);
        }
        ArrayNode routes = root.putArray("routes");
        for (String gateway : attachment.gateways()) {
            routes.addObject().put("dst", IpAddress.parse(gateway).family() == Family.IPV4 ? "0.0.0.0/0" : "::/0")
                    .put("gw", gateway);
        }
        for (PodAttachment.Route route : attachment.routes()) {
            routes.addObject().put("dst", route.destination()).put("gw", route.nextHop());
        }
        root.putObject("dns");
        return root;
    }

    /** {@code {"cniVersion":..,"code":N,"msg":..,"details":..}}; details only when there are some. */
    static ObjectNode error(String cniVersion, CniException failure) {
        ObjectNode root = CniRequestParser.JSON.createObjectNode();
        root.put("cniVersion", cniVersion);
        root.put("code", failure.code());
        root.put("msg", failure.getMessage());
        if (!failure.details().isEmpty()) {
            root.put("details", failure.details());
        }
        return root;
    }

    static byte[] bytes(JsonNode node) {
        return CniRequestParser.JSON.writeValueAsBytes(node);
    }
}
