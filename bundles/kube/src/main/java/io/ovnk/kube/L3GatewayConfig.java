package io.ovnk.kube;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import io.ovnk.kube.internal.StrictJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code k8s.ovn.org/l3-gateway-config}: per network, how the node reaches the outside:
 * {@code {"default":{"mode":"shared","interface-id":"breth0_node1","mac-address":"...","ip-addresses":["172.18.0.2/16"],
 * "next-hops":["172.18.0.1"],"node-port-enable":"true","vlan-id":"0"}}}; {@code {"default":{"mode":"disabled"}}}
 * when the node has no gateway. The singular {@code ip-address}/{@code next-hop} of older writers are read too.
 */
public record L3GatewayConfig(Map<String, Gateway> networks) {

    public static final String DEFAULT_NETWORK = "default";

    public L3GatewayConfig {
        networks = Map.copyOf(networks);
    }

    /** One network's gateway; a disabled one has only its mode. */
    public record Gateway(Mode mode, String interfaceId, MacAddress macAddress, List<Cidr> ipAddresses,
            List<IpAddress> nextHops, boolean nodePortEnable, int vlanId) {

        public Gateway {
            Objects.requireNonNull(mode, "mode");
            ipAddresses = List.copyOf(ipAddresses);
            nextHops = List.copyOf(nextHops);
            if (mode != Mode.DISABLED && (interfaceId == null || interfaceId.isEmpty() || macAddress == null
                    || ipAddresses.isEmpty())) {
                throw new IllegalArgumentException("a " + mode.text() + " gateway needs interface-id, mac-address and "
                        + "ip-addresses");
            }
            if (vlanId < 0 || vlanId > 4094) {
                throw new IllegalArgumentException("vlan-id " + vlanId + " is outside 0-4094");
            }
        }

        public static Gateway disabled() {
            return new Gateway(Mode.DISABLED, null, null, List.of(), List.of(), false, 0);
        }
    }

    /** Gateway modes as ovn-kubernetes names them. */
    public enum Mode {
        SHARED("shared"), LOCAL("local"), DISABLED("disabled");

        private final String text;

        Mode(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        static Mode of(String text) {
            for (Mode mode : values()) {
                if (mode.text.equals(text)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("\"" + text + "\" is not a gateway mode (shared, local, disabled)");
        }
    }

    public Gateway defaultNetwork() {
        return networks.get(DEFAULT_NETWORK);
    }

    public static L3GatewayConfig parse(String value) {
        JsonNode root = StrictJson.object(value);
        Map<String, Gateway> networks = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : StrictJson.fields(root)) {
            String path = entry.getKey();
            JsonNode node = StrictJson.requiredObject(root, entry.getKey(), "");
            Mode mode = StrictJson.value(path + ".mode", StrictJson.requiredText(node, "mode", path), Mode::of);
            if (mode == Mode.DISABLED) {
                networks.put(entry.getKey(), Gateway.disabled());
                continue;
            }
            String interfaceId = StrictJson.requiredText(node, "interface-id", path);
            MacAddress mac = StrictJson.value(path + ".mac-address", StrictJson.requiredText(node, "mac-address", path),
                    StrictJson::mac);
            List<Cidr> addresses = StrictJson.list(node, "ip-addresses", path, StrictJson::cidr);
            if (addresses.isEmpty() && node.has("ip-address")) {
                addresses = List.of(StrictJson.value(path + ".ip-address",
                        StrictJson.requiredText(node, "ip-address", path), StrictJson::cidr));
            }
            List<IpAddress> nextHops = StrictJson.list(node, "next-hops", path, StrictJson::ip);
            if (nextHops.isEmpty() && node.has("next-hop")) {
                String single = StrictJson.requiredText(node, "next-hop", path);
                nextHops = single.isEmpty() ? List.of() : List.of(StrictJson.value(path + ".next-hop", single, StrictJson::ip));
            }
            String nodePort = StrictJson.optionalText(node, "node-port-enable", path);
            if (nodePort != null && !nodePort.equals("true") && !nodePort.equals("false")) {
                throw new IllegalArgumentException(path + ".node-port-enable: \"" + nodePort + "\" is not \"true\" or \"false\"");
            }
            String vlan = StrictJson.optionalText(node, "vlan-id", path);
            int vlanId;
            try {
                vlanId = vlan == null || vlan.isEmpty() ? 0 : Integer.parseInt(vlan);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(path + ".vlan-id: \"" + vlan + "\" is not a number");
            }
            try {
                networks.put(entry.getKey(), new Gateway(mode, interfaceId, mac, addresses, nextHops,
                        "true".equals(nodePort), vlanId));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
            }
        }
        return new L3GatewayConfig(networks);
    }

    public String toJson() {
        ObjectNode root = StrictJson.mapper().createObjectNode();
        networks.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            Gateway gateway = entry.getValue();
            ObjectNode node = root.putObject(entry.getKey());
            node.put("mode", gateway.mode().text());
            if (gateway.mode() == Mode.DISABLED) {
                return;
            }
            node.put("interface-id", gateway.interfaceId());
            node.put("mac-address", gateway.macAddress().toString());
            gateway.ipAddresses().forEach(address -> node.withArray("ip-addresses").add(address.toString()));
            node.put("ip-address", gateway.ipAddresses().get(0).toString());
            gateway.nextHops().forEach(hop -> node.withArray("next-hops").add(hop.toString()));
            if (!gateway.nextHops().isEmpty()) {
                node.put("next-hop", gateway.nextHops().get(0).toString());
            }
            node.put("node-port-enable", Boolean.toString(gateway.nodePortEnable()));
            node.put("vlan-id", Integer.toString(gateway.vlanId()));
        });
        return root.toString();
    }
}
