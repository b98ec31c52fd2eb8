package io.ovnk.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The gateway's master side against a real NB/SB/northd with one chassis, the real master and the mock API
 * server: every gateway row as specified, join addresses, NodePort templates, removals, bad input and the
 * clean-up command (last: it ends the gateway).
 */
@RequiresOvn
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayMasterTest {

    private static GatewayHarness harness;
    private static GatewayMaster term;

    @BeforeAll
    static void start() throws Exception {
        harness = new GatewayHarness(OvnStack.builder().southbound().chassis(1).start());
        term = harness.term("30000-32767");
        harness.createNode("node1", "node1", GatewayHarness.gatewayConfig("node1", "0a:00:ac:1e:00:02", "172.30.0.2/24",
                "172.30.0.1"));
        harness.awaitRow("Logical_Router", "GR_node1", "external_ids:physical_ip=172.30.0.2");
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private static String get(String table, String record, String column) {
        String value = harness.nbctl("--bare", "get", table, record, column);
        return value.replaceAll("^\\[(.*)\\]$", "$1").replace("\"", ""); // a set's or a map value's quoting
    }

    @Test
    @Order(1)
    void gatewayRouterHasEveryRowAsSpecified() {
        assertEquals("node1", get("Logical_Router", "GR_node1", "options:chassis"));
        assertEquals("router_ip", get("Logical_Router", "GR_node1", "options:lb_force_snat_ip"));
        assertEquals("0", get("Logical_Router", "GR_node1", "options:snat-ct-zone"));
        assertEquals("172.30.0.2", get("Logical_Router", "GR_node1", "external_ids:physical_ips"));
        assertEquals("ovnk-gateway", get("Logical_Router", "GR_node1", "external_ids:\"k8s.ovn.org/owner-controller\""));
        assertEquals("Node", get("Logical_Router", "GR_node1", "external_ids:\"k8s.ovn.org/owner-type\""));
        assertEquals("node1", get("Logical_Router", "GR_node1", "external_ids:\"k8s.ovn.org/name\""));
        assertEquals("100.64.0.2/16", get("Logical_Router_Port", "rtoj-GR_node1", "networks"));
        assertEquals("0a:58:64:40:00:02", get("Logical_Router_Port", "rtoj-GR_node1", "mac"));
        assertEquals("join", harness.nbctl("lsp-get-ls", "jtor-GR_node1").replaceAll(".*\\((.*)\\)", "$1"));
        assertEquals("router", get("Logical_Switch_Port", "jtor-GR_node1", "type"));
        assertEquals("rtoj-GR_node1", get("Logical_Switch_Port", "jtor-GR_node1", "options:router-port"));
        assertEquals("172.30.0.2/24", get("Logical_Router_Port", "rtoe-GR_node1", "networks"));
        assertEquals("0a:00:ac:1e:00:02", get("Logical_Router_Port", "rtoe-GR_node1", "mac"));
        assertEquals("localnet", get("Logical_Switch_Port", "br-ex_node1", "type"));
        assertEquals("physnet", get("Logical_Switch_Port", "br-ex_node1", "options:network_name"));
        assertEquals("", get("Logical_Switch_Port", "br-ex_node1", "tag"));
        assertEquals("ext_node1", harness.nbctl("lsp-get-ls", "etor-GR_node1").replaceAll(".*\\((.*)\\)", "$1"));
        assertEquals("rtoe-GR_node1", get("Logical_Switch_Port", "etor-GR_node1", "options:router-port"));
        for (String row : List.of("Logical_Switch ext_node1", "Logical_Switch_Port br-ex_node1",
                "Logical_Switch_Port etor-GR_node1", "Logical_Router_Port rtoe-GR_node1")) {
            String[] parts = row.split(" ");
            assertEquals("ovnk-gateway", get(parts[0], parts[1], "external_ids:\"k8s.ovn.org/owner-controller\""), row);
        }
        String routes = harness.nbctl("lr-route-list", "GR_node1");
        assertTrue(routes.matches("(?s).*10\\.128\\.0\\.0/14\\s+100\\.64\\.0\\.1 dst-ip.*"), routes);
        assertTrue(routes.matches("(?s).*0\\.0\\.0\\.0/0\\s+172\\.30\\.0\\.1 dst-ip rtoe-GR_node1.*"), routes);
        String subnet = harness.kube.nodes().withName("node1").get().getMetadata().getAnnotations()
                .get("k8s.ovn.org/node-subnets").replaceAll(".*\"(\\d[^\"]*)\".*", "$1");
        String clusterRoutes = harness.nbctl("lr-route-list", "ovn_cluster_router");
        assertTrue(clusterRoutes.matches("(?s).*" + subnet.replace(".", "\\.") + "\\s+100\\.64\\.0\\.2 src-ip.*"),
                clusterRoutes);
        String nat = harness.nbctl("lr-nat-list", "GR_node1");
        assertTrue(nat.matches("(?s).*snat\\s+172\\.30\\.0\\.2\\s+10\\.128\\.0\\.0/14.*"), nat);
        assertEquals("NODEIP=172.30.0.2", harness.nbctl("--bare", "--columns=variables", "find", "Chassis_Template_Var",
                "chassis=node1"));
        assertEquals(harness.nbctl("--bare", "--columns=_uuid", "find", "Load_Balancer_Group",
                "name=" + GatewayNames.NODEPORT_LB_GROUP), get("Logical_Router", "GR_node1", "load_balancer_group"));
        // northd binds the gateway router's ports to the node's chassis
        harness.stack.sbctl("wait-until", "Port_Binding", "rtoe-GR_node1", "type=l3gateway");
    }

    @Test
    @Order(2)
    void joinAddressesAreUniqueAndRecoveredByTheNextTerm() throws Exception {
        for (String node : List.of("gw-a", "gw-b", "gw-c")) {
            harness.createNode(node, "chassis-" + node, GatewayHarness.gatewayConfig(node, "0a:00:ac:1e:00:10",
                    "172.30.0.10/24", "172.30.0.1"));
        }
        Map<String, String> before = new TreeMap<>();
        for (String node : List.of("node1", "gw-a", "gw-b", "gw-c")) {
            harness.awaitRow("Logical_Router_Port", "rtoj-GR_" + node, "name=rtoj-GR_" + node);
            before.put(node, get("Logical_Router_Port", "rtoj-GR_" + node, "networks"));
        }
        assertEquals(4, new HashSet<>(before.values()).size(), before.toString());
        assertFalse(before.containsValue("100.64.0.1/16"), before.toString());

        term.close();
        term = harness.term("30000-32767");
        Map<String, String> recovered = new TreeMap<>();
        term.joinAddresses().snapshot().forEach((node, ip) -> recovered.put(node, ip + "/16"));
        assertEquals(before, recovered);
        harness.createNode("gw-d", "chassis-gw-d", GatewayHarness.gatewayConfig("gw-d", "0a:00:ac:1e:00:11",
                "172.30.0.11/24", "172.30.0.1"));
        harness.awaitRow("Logical_Router_Port", "rtoj-GR_gw-d", "name=rtoj-GR_gw-d");
        String fresh = get("Logical_Router_Port", "rtoj-GR_gw-d", "networks");
        assertFalse(before.containsValue(fresh), fresh + " duplicates " + before);
        for (String node : before.keySet()) {
            assertEquals(before.get(node), get("Logical_Router_Port", "rtoj-GR_" + node, "networks"), node);
        }
    }

    static Service nodePortService(String name, int nodePort, String... protocols) {
        ServiceBuilder service = new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType("NodePort").withClusterIP("172.16.1.10").endSpec();
        for (int i = 0; i < protocols.length; i++) {
            service.editSpec().addNewPort().withName("p" + i).withProtocol(protocols[i]).withPort(80)
                    .withTargetPort(new IntOrString(8080)).withNodePort(nodePort).endPort().endSpec();
        }
        return service.build();
    }

    static EndpointSlice slice(String service, Map<String, Boolean> endpoints, String... protocols) {
        EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName(service + "-1")
                .withNamespace("default").addToLabels("kubernetes.io/service-name", service).endMetadata()
                .withAddressType("IPv4");
        for (int i = 0; i < protocols.length; i++) {
            slice.addNewPort().withName("p" + i).withProtocol(protocols[i]).withPort(8080).endPort();
        }
        endpoints.forEach((ip, ready) -> slice.addNewEndpoint().withAddresses(ip).withNewConditions().withReady(ready)
                .endConditions().endEndpoint());
        return slice.build();
    }

    @Test
    @Order(3)
    void nodePortServicesAreTemplatesInTheGroupKeptInStepWithEndpoints() {
        harness.kube.resource(nodePortService("web", 30080, "TCP")).create();
        harness.kube.resource(slice("web", new TreeMap<>(Map.of("10.128.0.5", true, "10.128.0.6", false)), "TCP")).create();
        String lb = "Service_default/web_TCP_node_router_template_IPv4";
        harness.awaitRow("Load_Balancer", lb, "vips:\"^NODEIP:30080\"=\"10.128.0.5:8080\"");
        assertEquals("true", get("Load_Balancer", lb, "options:template"));
        assertEquals("ipv4", get("Load_Balancer", lb, "options:address-family"));
        assertEquals("tcp", get("Load_Balancer", lb, "protocol"));
        String uuid = harness.nbctl("--bare", "--columns=_uuid", "find", "Load_Balancer", "name=\"" + lb + "\"");
        assertTrue(harness.nbctl("--bare", "--columns=load_balancer", "list", "Load_Balancer_Group",
                GatewayNames.NODEPORT_LB_GROUP).contains(uuid));
        // the second endpoint becomes ready: both
        harness.kube.resource(slice("web", new TreeMap<>(Map.of("10.128.0.5", true, "10.128.0.6", true)), "TCP")).update();
        harness.awaitRow("Load_Balancer", lb, "vips:\"^NODEIP:30080\"=\"10.128.0.5:8080,10.128.0.6:8080\"");

        harness.kube.resource(nodePortService("dns", 30053, "UDP", "SCTP")).create();
        harness.kube.resource(slice("dns", Map.of("10.128.0.7", true), "UDP", "SCTP")).create();
        harness.awaitRow("Load_Balancer", "Service_default/dns_UDP_node_router_template_IPv4",
                "vips:\"^NODEIP:30053\"=\"10.128.0.7:8080\"");
        harness.awaitRow("Load_Balancer", "Service_default/dns_SCTP_node_router_template_IPv4",
                "vips:\"^NODEIP:30053\"=\"10.128.0.7:8080\"");
        // one row per Service and protocol whatever the number of gateway routers (5 by now)
        assertEquals(3, harness.nbctl("--bare", "--columns=name", "find", "Load_Balancer", "options:template=true")
                .lines().filter(l -> !l.isBlank()).count());

        harness.kube.services().inNamespace("default").withName("dns").delete();
        harness.stack.nbctl("wait-until", "Load_Balancer_Group", GatewayNames.NODEPORT_LB_GROUP,
                "load_balancer=" + uuid);
        assertEquals("", harness.nbctl("--bare", "--columns=name", "find", "Load_Balancer",
                "name=\"Service_default/dns_UDP_node_router_template_IPv4\""));
    }

    @Test
    @Order(4)
    void removingANodeRemovesItsGatewayAndReleasesItsAddress() throws Exception {
        harness.createNode("gw-gone", "chassis-gone", GatewayHarness.gatewayConfig("gw-gone", "0a:00:ac:1e:00:20",
                "172.30.0.20/24", "172.30.0.1"));
        harness.awaitRow("Logical_Router", "GR_gw-gone", "name=GR_gw-gone");
        assertTrue(term.joinAddresses().of("gw-gone").isPresent());
        harness.kube.nodes().withName("gw-gone").delete();
        awaitNoRow("Logical_Router", "GR_gw-gone");
        for (String[] row : new String[][] { { "Logical_Switch", "name=ext_gw-gone" },
            { "Logical_Switch_Port", "name=jtor-GR_gw-gone" }, { "Logical_Switch_Port", "name=br-ex_gw-gone" },
            { "Logical_Router_Port", "name=rtoj-GR_gw-gone" }, { "Chassis_Template_Var", "chassis=chassis-gone" },
            { "Logical_Router_Static_Route", "external_ids:\"k8s.ovn.org/name\"=gw-gone" } }) {
            assertEquals("", harness.nbctl("--bare", "--columns=_uuid", "find", row[0], row[1]), row[0] + " " + row[1]);
        }
        assertTrue(term.joinAddresses().of("gw-gone").isEmpty());
        assertEquals("172.30.0.2", get("Logical_Router", "GR_node1", "external_ids:physical_ip"));
    }

    /** Waits, event-driven on a watching client's cache, until no row of the table has the name. */
    private static void awaitNoRow(String table, String name) throws Exception {
        harness.watch.cache().awaitNone(table, row -> name.equals(row.string("name")), Duration.ofSeconds(30))
                .get(40, TimeUnit.SECONDS);
    }

    @Test
    @Order(5)
    void badInputIsOneWarningEventAndTheRestGoesOn() throws Exception {
        CompletableFuture<Event> badNode = harness.awaitEvent("bad-node", "InvalidAnnotation");
        CompletableFuture<Event> badService = harness.awaitEvent("low-port", "InvalidNodePort");
        harness.createNode("bad-node", "chassis-bad", "{\"default\":{\"mode\":\"shared\",\"mac-address\":\"0a:00:00:00:00:01\"}}");
        harness.kube.resource(nodePortService("low-port", 8080, "TCP")).create();
        harness.kube.resource(nodePortService("fine", 30090, "TCP")).create();
        Event nodeEvent = badNode.get(30, TimeUnit.SECONDS);
        assertTrue(nodeEvent.getMessage().contains("node bad-node") && nodeEvent.getMessage()
                .contains("k8s.ovn.org/l3-gateway-config"), nodeEvent.getMessage());
        assertEquals("Warning", nodeEvent.getType());
        Event serviceEvent = badService.get(30, TimeUnit.SECONDS);
        assertTrue(serviceEvent.getMessage().contains("service default/low-port: spec.ports[0].nodePort: 8080 is outside "
                + "the NodePort range 30000-32767"), serviceEvent.getMessage());
        harness.awaitRow("Load_Balancer", "Service_default/fine_TCP_node_router_template_IPv4",
                "vips:\"^NODEIP:30090\"=\"\"");
        assertEquals("", harness.nbctl("--bare", "--columns=_uuid", "find", "Logical_Router", "name=GR_bad-node"));
        assertEquals("", harness.nbctl("--bare", "--columns=_uuid", "find", "Load_Balancer",
                "name=\"Service_default/low-port_TCP_node_router_template_IPv4\""));
        assertEquals("172.30.0.2", get("Logical_Router", "GR_node1", "external_ids:physical_ip"));
    }

    @Test
    @Order(100)
    void cleanupRemovesExactlyTheGatewayRows() {
        term.close(); // the gateway stops: its rows stay
        assertEquals("172.30.0.2", get("Logical_Router", "GR_node1", "external_ids:physical_ip"));
        Northbound nb = new Northbound(harness.nb, Duration.ofSeconds(30));
        Map<String, Map<UUID, Map<String, Object>>> before = dump(nb);
        Set<UUID> gateway = new HashSet<>();
        before.forEach((table, rows) -> rows.forEach((uuid, columns) -> {
            Object ids = columns.get("external_ids");
            if (ids instanceof Map<?, ?> map && "ovnk-gateway".equals(map.get(GatewayNames.OWNER_CONTROLLER))
                    || GatewayNames.NODEPORT_LB_GROUP.equals(columns.get("name"))) {
                gateway.add(uuid);
            }
        }));
        assertTrue(gateway.size() > 30, "gateway rows: " + gateway.size());

        List<String> removed = new GatewayCleanup(nb).run();

        assertEquals(gateway.size(), removed.size(), String.join("\n", removed));
        assertTrue(removed.contains("Logical_Router GR_node1 (node1)"), String.join("\n", removed));
        assertTrue(removed.contains("Load_Balancer Service_default/web_TCP_node_router_template_IPv4 (default/web)"));
        // what is left is exactly what was there, less the gateway's rows and the references to them
        Map<String, Map<UUID, Map<String, Object>>> expected = new TreeMap<>();
        before.forEach((table, rows) -> {
            Map<UUID, Map<String, Object>> kept = new HashMap<>();
            rows.forEach((uuid, columns) -> {
                if (!gateway.contains(uuid)) {
                    Map<String, Object> without = new TreeMap<>();
                    columns.forEach((column, value) -> without.put(column, value instanceof Set<?> set
                            ? set.stream().filter(e -> !gateway.contains(e)).collect(java.util.stream.Collectors.toSet())
                            : value));
                    kept.put(uuid, without);
                }
            });
            expected.put(table, kept);
        });
        assertEquals(expected, dump(nb));
        assertTrue(new GatewayCleanup(nb).run().isEmpty(), "a second clean-up finds nothing");
        assertEquals("ovn_cluster_router", harness.nbctl("--bare", "--columns=name", "find", "Logical_Router",
                "name=ovn_cluster_router"));
    }

    /** Every row of the tables ovnk writes, as (table, uuid) -> columns, read in one transaction. */
    private static Map<String, Map<UUID, Map<String, Object>>> dump(Northbound nb) {
        List<String> tables = List.of("Logical_Router", "Logical_Router_Port", "Logical_Switch", "Logical_Switch_Port",
                "Logical_Router_Static_Route", "NAT", "Load_Balancer", "Load_Balancer_Group", "Chassis_Template_Var",
                "Gateway_Chassis", "ACL", "Address_Set", "Port_Group");
        List<Operation> selects = new ArrayList<>();
        tables.forEach(t -> selects.add(Northbound.select(t)));
        List<List<Row>> rows = nb.select(selects);
        Map<String, Map<UUID, Map<String, Object>>> dump = new TreeMap<>();
        for (int i = 0; i < tables.size(); i++) {
            Map<UUID, Map<String, Object>> byUuid = new HashMap<>();
            for (Row row : rows.get(i)) {
                TableSchema schema = row.table();
                Map<String, Object> columns = new TreeMap<>();
                schema.columns().forEach(c -> {
                    if (!c.name().equals("up") && !c.name().equals("status") && !c.name().startsWith("_")) {
                        columns.put(c.name(), row.get(c.name()));
                    }
                });
                byUuid.put(row.uuid(), columns);
            }
            dump.put(tables.get(i), byUuid);
        }
        return dump;
    }
}
