package io.ovnk.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AnnotationCodecsTest {

    private static Pod pod(String annotation, String value) {
        return new PodBuilder().withNewMetadata().withNamespace("default").withName("web-1")
                .withAnnotations(Map.of(annotation, value)).endMetadata().build();
    }

    private static Node node(String annotation, String value) {
        return new NodeBuilder().withNewMetadata().withName("worker-1").withAnnotations(Map.of(annotation, value))
                .endMetadata().build();
    }

    @Test
    void nodeSubnetsReadBothShapesAndWriteWhatOvnKubernetesWrites() {
        NodeSubnetsAnnotation single = NodeSubnetsAnnotation.parse("{\"default\":\"10.128.4.0/23\"}");
        assertEquals(List.of(Cidr.parse("10.128.4.0/23")), single.defaultNetwork());
        assertEquals("{\"default\":\"10.128.4.0/23\"}", single.toJson());
        NodeSubnetsAnnotation dual = NodeSubnetsAnnotation.parse("{\"default\":[\"10.128.4.0/23\",\"fd00:10:244:3::/64\"]}");
        assertEquals(List.of(Cidr.parse("10.128.4.0/23"), Cidr.parse("fd00:10:244:3::/64")), dual.defaultNetwork());
        assertEquals(dual, NodeSubnetsAnnotation.parse(dual.toJson()));
    }

    @Test
    void podNetworksRoundTripWithRoutesAndTheDeprecatedSingleValues() {
        PodNetwork network = new PodNetwork(List.of(Cidr.parse("10.128.4.5/23"), Cidr.parse("fd00:10:244:3::5/64")),
                MacAddress.parse("0a:58:0a:80:04:05"), List.of(IpAddress.parse("10.128.4.1"), IpAddress.parse("fd00:10:244:3::1")),
                List.of(new PodRoute(Cidr.parse("10.96.0.0/16"), IpAddress.parse("10.128.4.1"))), "primary");
        PodNetworksAnnotation annotation = PodNetworksAnnotation.ofDefault(network);
        String json = annotation.toJson();
        assertTrue(json.contains("\"ip_address\":\"10.128.4.5/23\"") && json.contains("\"gateway_ip\":\"10.128.4.1\""), json);
        assertEquals(annotation, PodNetworksAnnotation.parse(json));
        // a writer that only knows the singular keys
        PodNetworksAnnotation old = PodNetworksAnnotation.parse("{\"default\":{\"ip_address\":\"10.128.4.5/23\","
                + "\"mac_address\":\"0a:58:0a:80:04:05\",\"gateway_ip\":\"10.128.4.1\"}}");
        assertEquals(List.of(Cidr.parse("10.128.4.5/23")), old.defaultNetwork().ipAddresses());
        assertEquals(List.of(IpAddress.parse("10.128.4.1")), old.defaultNetwork().gatewayIps());
        assertEquals("primary", old.defaultNetwork().role());
    }

    @Test
    void theSeedEraAnnotationRoundTrips() {
        LegacyPodAnnotation legacy = LegacyPodAnnotation.parse("{\"ip_address\":\"10.128.4.5/23\",\"mac_address\":"
                + "\"0a:58:0a:80:04:05\",\"gateway_ip\":\"10.128.4.1\"}");
        assertEquals(Cidr.parse("10.128.4.5/23"), legacy.ipAddress());
        assertEquals(legacy, LegacyPodAnnotation.parse(legacy.toJson()));
        PodNetwork network = new PodNetwork(List.of(Cidr.parse("10.128.4.5/23")), MacAddress.parse("0a:58:0a:80:04:05"),
                List.of(IpAddress.parse("10.128.4.1")), List.of(), "primary");
        assertEquals(legacy, LegacyPodAnnotation.of(network));
    }

    @Test
    void gatewayConfigRoundTripsAndReadsOlderSingularKeys() {
        L3GatewayConfig config = L3GatewayConfig.parse("{\"default\":{\"mode\":\"shared\",\"interface-id\":\"breth0_worker-1\","
                + "\"mac-address\":\"02:42:ac:12:00:02\",\"ip-address\":\"172.18.0.2/16\",\"next-hop\":\"172.18.0.1\","
                + "\"node-port-enable\":\"true\",\"vlan-id\":\"0\"}}");
        L3GatewayConfig.Gateway gateway = config.defaultNetwork();
        assertEquals(L3GatewayConfig.Mode.SHARED, gateway.mode());
        assertEquals(List.of(Cidr.parse("172.18.0.2/16")), gateway.ipAddresses());
        assertEquals(List.of(IpAddress.parse("172.18.0.1")), gateway.nextHops());
        assertTrue(gateway.nodePortEnable());
        assertEquals(config, L3GatewayConfig.parse(config.toJson()));
        assertEquals(L3GatewayConfig.Mode.DISABLED,
                L3GatewayConfig.parse("{\"default\":{\"mode\":\"disabled\"}}").defaultNetwork().mode());
    }

    @Test
    void readingFromAnObjectNamesTheObjectAndTheAnnotation() {
        assertEquals(Optional.empty(), OvnAnnotations.read(new PodBuilder().withNewMetadata().withName("x").endMetadata()
                .build(), OvnAnnotations.POD_NETWORKS, PodNetworksAnnotation::parse));
        AnnotationException e = assertThrows(AnnotationException.class, () -> OvnAnnotations.read(
                pod(OvnAnnotations.POD_NETWORKS, "{\"default\":{\"ip_addresses\":[\"10.1.2\"],\"mac_address\":\"0a:58:0a:01:02:03\"}}"),
                OvnAnnotations.POD_NETWORKS, PodNetworksAnnotation::parse));
        assertEquals("pod default/web-1: annotation k8s.ovn.org/pod-networks: default.ip_addresses[0]: \"10.1.2\" is not a "
                + "CIDR: the /prefix length is missing", e.getMessage());
        assertEquals("pod default/web-1", e.object());
        AnnotationException nodeError = assertThrows(AnnotationException.class, () -> OvnAnnotations.read(
                node(OvnAnnotations.NODE_CHASSIS_ID, "has space"), OvnAnnotations.NODE_CHASSIS_ID, OvnAnnotations::parseChassisId));
        assertTrue(nodeError.getMessage().startsWith("node worker-1: annotation k8s.ovn.org/node-chassis-id: "),
                nodeError.getMessage());
        assertEquals(MacAddress.parse("0a:58:0a:80:04:02"), OvnAnnotations.read(node(OvnAnnotations.NODE_MGMT_PORT_MAC,
                "0a:58:0a:80:04:02"), OvnAnnotations.NODE_MGMT_PORT_MAC, MacAddress::parse).orElseThrow());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json                                       | {default                                    | not JSON",
        "not an object                                  | [1]                                          | expected a JSON object, found an array",
        "subnet with host bits                          | {\"default\":\"10.128.4.1/23\"}              | default: \"10.128.4.1/23\" has host bits set",
        "subnet a number                                | {\"default\":5}                              | default: expected a string or an array of strings, found the number 5",
        "second subnet malformed                        | {\"default\":[\"10.128.4.0/23\",\"x\"]}      | default[1]: \"x\" is not a CIDR",
        "two of one family                              | {\"default\":[\"10.128.4.0/23\",\"10.128.6.0/23\"]} | more than one subnet of a family",
    })
    void malformedNodeSubnetsAreRefusedNamingTheField(String what, String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeSubnetsAnnotation.parse(value));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "network not an object | {\"default\":\"x\"}                                                         | default: expected an object",
        "no address            | {\"default\":{\"mac_address\":\"0a:58:0a:01:02:03\"}}                      | default.ip_addresses: missing",
        "bad mac               | {\"default\":{\"ip_addresses\":[\"10.1.2.3/24\"],\"mac_address\":\"0a:58\"}} | default.mac_address: \"0a:58\" is not a MAC address",
        "mac missing           | {\"default\":{\"ip_addresses\":[\"10.1.2.3/24\"]}}                         | default.mac_address: expected a string, found nothing",
        "gateway elsewhere     | {\"default\":{\"ip_addresses\":[\"10.1.2.3/24\"],\"mac_address\":\"0a:58:0a:01:02:03\",\"gateway_ips\":[\"10.9.9.1\"]}} | default.gateway_ips: 10.9.9.1 is in none of the pod's subnets",
        "route mixes families  | {\"default\":{\"ip_addresses\":[\"10.1.2.3/24\"],\"mac_address\":\"0a:58:0a:01:02:03\",\"routes\":[{\"dest\":\"fd00::/64\",\"nextHop\":\"10.1.2.1\"}]}} | default.routes[0]: route to fd00::/64 via 10.1.2.1 mixes address families",
        "route without nextHop | {\"default\":{\"ip_addresses\":[\"10.1.2.3/24\"],\"mac_address\":\"0a:58:0a:01:02:03\",\"routes\":[{\"dest\":\"10.96.0.0/16\"}]}} | default.routes[0].nextHop: expected a string",
        "addresses not array   | {\"default\":{\"ip_addresses\":\"10.1.2.3/24\",\"mac_address\":\"0a:58:0a:01:02:03\"}} | default.ip_addresses: expected an array",
    })
    void malformedPodNetworksAreRefusedNamingTheField(String what, String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PodNetworksAnnotation.parse(value));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "legacy bad ip          | LEGACY  | {\"ip_address\":\"10.1.2.3\",\"mac_address\":\"0a:58:0a:01:02:03\",\"gateway_ip\":\"10.1.2.1\"} | ip_address: \"10.1.2.3\" is not a CIDR",
        "legacy no gateway      | LEGACY  | {\"ip_address\":\"10.1.2.3/24\",\"mac_address\":\"0a:58:0a:01:02:03\"}                       | gateway_ip: expected a string, found nothing",
        "gateway bad mode       | GATEWAY | {\"default\":{\"mode\":\"fast\"}}                                                        | default.mode: \"fast\" is not a gateway mode",
        "gateway no interface   | GATEWAY | {\"default\":{\"mode\":\"local\",\"mac-address\":\"02:42:ac:12:00:02\"}}                 | default.interface-id: expected a string",
        "gateway bad vlan       | GATEWAY | {\"default\":{\"mode\":\"local\",\"interface-id\":\"i\",\"mac-address\":\"02:42:ac:12:00:02\",\"ip-addresses\":[\"172.18.0.2/16\"],\"vlan-id\":\"x\"}} | default.vlan-id: \"x\" is not a number",
        "gateway vlan range     | GATEWAY | {\"default\":{\"mode\":\"local\",\"interface-id\":\"i\",\"mac-address\":\"02:42:ac:12:00:02\",\"ip-addresses\":[\"172.18.0.2/16\"],\"vlan-id\":\"5000\"}} | default: vlan-id 5000 is outside 0-4094",
        "gateway node port      | GATEWAY | {\"default\":{\"mode\":\"local\",\"interface-id\":\"i\",\"mac-address\":\"02:42:ac:12:00:02\",\"ip-addresses\":[\"172.18.0.2/16\"],\"node-port-enable\":\"yes\"}} | default.node-port-enable: \"yes\" is not",
        "chassis empty          | CHASSIS | ''                                                                                         | is not a chassis id",
        "management mac         | MAC     | 0a:58:0a:80:04                                                                             | is not a MAC address",
    })
    void malformedValuesOfTheOtherCodecsAreRefusedNamingTheField(String what, String codec, String value, String message) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> {
            switch (codec) {
                case "LEGACY" -> LegacyPodAnnotation.parse(value);
                case "GATEWAY" -> L3GatewayConfig.parse(value);
                case "MAC" -> OvnAnnotations.read(node(OvnAnnotations.NODE_MGMT_PORT_MAC, value),
                        OvnAnnotations.NODE_MGMT_PORT_MAC, MacAddress::parse);
                default -> OvnAnnotations.parseChassisId(value);
            }
        });
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aBadValueIsReportedOncePerChange() {
        AnnotationProblems problems = new AnnotationProblems();
        AnnotationException first = new AnnotationException("pod a/b", "k8s.ovn.org/pod-networks", "{x", "not JSON");
        assertTrue(problems.firstReport(first));
        assertFalse(problems.firstReport(first), "the same value again: already reported");
        assertTrue(problems.firstReport(new AnnotationException("pod a/b", "k8s.ovn.org/pod-networks", "{y", "not JSON")),
                "a changed value is a new report");
        problems.forget("pod a/b", "k8s.ovn.org/pod-networks");
        assertTrue(problems.firstReport(first));
    }

    @Test
    void aKeyWrittenTwiceOrTrailingGarbageIsRefusedNotSilentlyResolved() {
        AnnotationException twice = assertThrows(AnnotationException.class, () -> OvnAnnotations.read(
                node(OvnAnnotations.NODE_SUBNETS, "{\"default\":\"10.128.4.0/23\",\"default\":\"10.128.6.0/23\"}"),
                OvnAnnotations.NODE_SUBNETS, NodeSubnetsAnnotation::parse));
        assertTrue(twice.getMessage().startsWith("node worker-1: annotation k8s.ovn.org/node-subnets: not JSON: ")
                && twice.getMessage().contains("\"default\""), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NodeSubnetsAnnotation.parse("{\"default\":\"10.128.4.0/23\"} x"));
    }

    @Test
    void aHugeValueMakesAShortMessageButIsKeptWholeForChangeDetection() {
        String huge = "{\"default\":\"" + "1".repeat(1_000_000) + "\"}";
        AnnotationException e = assertThrows(AnnotationException.class, () -> OvnAnnotations.read(
                node(OvnAnnotations.NODE_SUBNETS, huge), OvnAnnotations.NODE_SUBNETS, NodeSubnetsAnnotation::parse));
        assertTrue(e.getMessage().startsWith("node worker-1: annotation k8s.ovn.org/node-subnets: default: ")
                && e.getMessage().length() < 600 && e.getMessage().endsWith(" characters)"), e.getMessage());
        assertEquals(huge, e.value());
    }
}
