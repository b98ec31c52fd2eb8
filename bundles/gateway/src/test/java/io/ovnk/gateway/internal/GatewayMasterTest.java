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
import java.util.Optional;
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
 * server: every gateway row as specified, the former NodePort template layout's rows removed, join addresses,
 * NodePort load balancers per router and protocol, removals, bad input and the clean-up command (last: it ends the
 * gateway).
 */
@RequiresOvn
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayMasterTest {

    private static GatewayHarness harness;
    private static GatewayMaster term;

    @BeforeAll
    static void start() throws Exception {
        harness = new GatewayHarness(OvnStack.builder().southbound().chassis(1).start());
        // what the NodePort template layout of an earlier version left: a Service's template, the group, a variable
        String owner = "external_ids:\"k8s.ovn.org/owner-controller\"=ovnk-gateway";
        harness.nbctl("--id=@lb", "create", "Load_Balancer", "name=\"Service_default/old_TCP_node_router_template_IPv4\"",
                "protocol=tcp", "vips:\"^NODEIP:30999\"=\"10.128.0.9:8080\"", "options:template=true", owner,
                "external_ids:\"k8s.ovn.org/owner-type\"=Service", "external_ids:\"k8s.ovn.org/name\"=\"default/old\"",
                "--", "create", "Load_Balancer_Group", "name=" + GatewayNames.LEGACY_LB_GROUP, "load_balancer=@lb",
                "--", "create", "Chassis_Template_Var", "chassis=node1", "variables:NODEIP=172.30.0.2", owner,
                "external_ids:\"k8s.ovn.org/owner-type\"=Node", "external_ids:\"k8s.ovn.org/name\"=node1");
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
        // the cluster router's join address is a static neighbour of the GR (no ARP before the first NodePort SYN)
        assertEquals("0a:58:64:40:00:01 true", harness.nbctl("--bare", "--columns=mac,override_dynamic_mac", "find",
                "Static_MAC_Binding", "logical_port=rtoj-GR_node1", "ip=100.64.0.1").replaceAll("\\s+", " "));
        assertEquals(get("Logical_Router_Port", "rtoj-ovn_cluster_router", "mac"), harness.nbctl("--bare",
                "--columns=mac", "find", "Static_MAC_Binding", "logical_port=rtoj-GR_node1"));
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
        // no NodePort Service yet: no load balancer; the template layout's rows are gone
        assertEquals("", get("Logical_Router", "GR_node1", "load_balancer"));
        assertEquals("", harness.nbctl("--bare", "--columns=_uuid", "find", "Load_Balancer",
                "external_ids:\"k8s.ovn.org/owner-controller\"=ovnk-gateway"));
        assertEquals("", harness.nbctl("--bare", "--columns=_uuid", "find", "Load_Balancer_Group",
                "name=" + GatewayNames.LEGACY_LB_GROUP));
        assertEquals("", harness.nbctl("--bare", "--columns=_uuid", "list", "Chassis_Template_Var"));
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

    /** A load balancer's VIPs, read from the Northbound. */
    private static Map<String, String> vips(String balancer) {
        List<Row> rows = new Northbound(harness.nb, Duration.ofSeconds(30))
                .select(List.of(Northbound.named("Load_Balancer", balancer))).get(0);
        assertEquals(1, rows.size(), balancer);
        return rows.get(0).map("vips");
    }

    /** The gateway's load balancers in the Northbound. */
    private static long gatewayBalancers() {
        return harness.nbctl("--bare", "--columns=_uuid", "find", "Load_Balancer",
                "external_ids:\"k8s.ovn.org/owner-controller\"=ovnk-gateway").lines().filter(l -> !l.isBlank()).count();
    }

    @Test
    @Order(3)
    void nodePortsAreVipsOfOneLoadBalancerPerRouterAndProtocolKeptInStepWithEndpoints() throws Exception {
        harness.kube.resource(nodePortService("web", 30080, "TCP")).create();
        harness.kube.resource(slice("web", new TreeMap<>(Map.of("10.128.0.5", true, "10.128.0.6", false)), "TCP")).create();
        String lb = "Service_nodeports_node1_TCP";
        harness.awaitRow("Load_Balancer", lb, "vips:\"172.30.0.2:30080\"=\"10.128.0.5:8080\"");
        assertEquals("tcp", get("Load_Balancer", lb, "protocol"));
        assertEquals("{reject=true}", get("Load_Balancer", lb, "options"));
        assertEquals("ovnk-gateway", get("Load_Balancer", lb, "external_ids:\"k8s.ovn.org/owner-controller\""));
        assertEquals("Node", get("Load_Balancer", lb, "external_ids:\"k8s.ovn.org/owner-type\""));
        assertEquals("node1", get("Load_Balancer", lb, "external_ids:\"k8s.ovn.org/name\""));
        String uuid = harness.nbctl("--bare", "--columns=_uuid", "find", "Load_Balancer", "name=" + lb);
        assertEquals(uuid, get("Logical_Router", "GR_node1", "load_balancer"));
        // every gateway router has its own, with its node's address
        harness.awaitRow("Load_Balancer", "Service_nodeports_gw-d_TCP", "vips:\"172.30.0.11:30080\"=\"10.128.0.5:8080\"");
        // the second endpoint becomes ready: both
        harness.kube.resource(slice("web", new TreeMap<>(Map.of("10.128.0.5", true, "10.128.0.6", true)), "TCP")).update();
        harness.awaitRow("Load_Balancer", lb, "vips:\"172.30.0.2:30080\"=\"10.128.0.5:8080,10.128.0.6:8080\"");

        harness.kube.resource(nodePortService("dns", 30053, "UDP", "SCTP")).create();
        harness.kube.resource(slice("dns", Map.of("10.128.0.7", true), "UDP", "SCTP")).create();
        harness.awaitRow("Load_Balancer", "Service_nodeports_node1_UDP", "vips:\"172.30.0.2:30053\"=\"10.128.0.7:8080\"");
        harness.awaitRow("Load_Balancer", "Service_nodeports_node1_SCTP", "vips:\"172.30.0.2:30053\"=\"10.128.0.7:8080\"");
        assertEquals(Set.of("udp"), Set.of(get("Load_Balancer", "Service_nodeports_node1_UDP", "protocol")));

        // 20 Services at once: each its own mutations, none takes another's VIPs out
        for (int i = 0; i < 20; i++) {
            harness.kube.resource(nodePortService("bulk-" + i, 31000 + i, "TCP")).create();
            harness.kube.resource(slice("bulk-" + i, Map.of("10.128.1." + (i + 1), true), "TCP")).create();
        }
        Map<String, String> expected = new TreeMap<>(Map.of("172.30.0.2:30080", "10.128.0.5:8080,10.128.0.6:8080"));
        for (int i = 0; i < 20; i++) {
            expected.put("172.30.0.2:" + (31000 + i), "10.128.1." + (i + 1) + ":8080");
            harness.awaitRow("Load_Balancer", lb, "vips:\"172.30.0.2:" + (31000 + i) + "\"=\"10.128.1." + (i + 1) + ":8080\"");
        }
        assertEquals(expected, new TreeMap<>(vips(lb)));
        // one row per router and protocol, whatever the number of Services: 5 routers x 3 protocols
        assertEquals(15, gatewayBalancers());

        // a gateway router made now gets every Service's VIPs in the transaction that makes it
        harness.createNode("gw-late", "chassis-gw-late", GatewayHarness.gatewayConfig("gw-late", "0a:00:ac:1e:00:12",
                "172.30.0.12/24", "172.30.0.1"));
        harness.awaitRow("Logical_Router", "GR_gw-late", "name=GR_gw-late");
        assertEquals(21, vips("Service_nodeports_gw-late_TCP").size());
        assertEquals(Map.of("172.30.0.12:30053", "10.128.0.7:8080"), vips("Service_nodeports_gw-late_UDP"));
        assertEquals(3, get("Logical_Router", "GR_gw-late", "load_balancer").split(",").length);
        assertEquals(18, gatewayBalancers());

        // a Service deleted: its VIPs go from every router; the load balancer stays, empty, with the router
        harness.kube.services().inNamespace("default").withName("dns").delete();
        harness.awaitRow("Load_Balancer", "Service_nodeports_node1_UDP", "vips={}");
        harness.awaitRow("Load_Balancer", "Service_nodeports_gw-late_SCTP", "vips={}");
        assertEquals(21, vips(lb).size());

        // a Service deleted while no term runs: the next term's first pass over each node drops its VIPs
        term.close();
        harness.kube.services().inNamespace("default").withName("bulk-0").delete();
        term = harness.term("30000-32767");
        harness.watch.cache().await("Load_Balancer", row -> lb.equals(row.string("name"))
                && !row.map("vips").containsKey("172.30.0.2:31000"), Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);
        expected.remove("172.30.0.2:31000");
        assertEquals(expected, new TreeMap<>(vips(lb)));
        // and one without NodePorts any more (made ClusterIP) by this term: its keys go too
        harness.kube.services().inNamespace("default").withName("bulk-1").edit(s -> {
            s.getSpec().setType("ClusterIP");
            s.getSpec().getPorts().forEach(p -> p.setNodePort(null));
            return s;
        });
        harness.watch.cache().await("Load_Balancer", row -> "Service_nodeports_gw-late_TCP".equals(row.string("name"))
                && !row.map("vips").containsKey("172.30.0.12:31001"), Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);
        assertEquals(19, vips("Service_nodeports_gw-late_TCP").size());
    }

    @Test
    @Order(4)
    void removingANodeRemovesItsGatewayAndReleasesItsAddress() throws Exception {
        harness.createNode("gw-gone", "chassis-gone", GatewayHarness.gatewayConfig("gw-gone", "0a:00:ac:1e:00:20",
                "172.30.0.20/24", "172.30.0.1"));
        harness.awaitRow("Logical_Router", "GR_gw-gone", "name=GR_gw-gone");
        assertTrue(term.joinAddresses().of("gw-gone").isPresent());
        assertEquals(19, vips("Service_nodeports_gw-gone_TCP").size());
        harness.kube.nodes().withName("gw-gone").delete();
        awaitNoRow("Logical_Router", "GR_gw-gone");
        for (String[] row : new String[][] { { "Logical_Switch", "name=ext_gw-gone" },
            { "Logical_Switch_Port", "name=jtor-GR_gw-gone" }, { "Logical_Switch_Port", "name=br-ex_gw-gone" },
            { "Logical_Router_Port", "name=rtoj-GR_gw-gone" }, { "Load_Balancer", "name=Service_nodeports_gw-gone_TCP" },
            { "Logical_Router_Static_Route", "external_ids:\"k8s.ovn.org/name\"=gw-gone" },
            { "Static_MAC_Binding", "logical_port=rtoj-GR_gw-gone" } }) {
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
        // no ready endpoint: the VIP is there without backends (the load balancer rejects)
        harness.awaitRow("Load_Balancer", "Service_nodeports_node1_TCP", "vips:\"172.30.0.2:30090\"=\"\"");
        assertEquals("", harness.nbctl("--bare", "--columns=_uuid", "find", "Logical_Router", "name=GR_bad-node"));
        assertFalse(vips("Service_nodeports_node1_TCP").containsKey("172.30.0.2:8080"));
        assertEquals("172.30.0.2", get("Logical_Router", "GR_node1", "external_ids:physical_ip"));
    }

    @Test
    @Order(100)
    void cleanupStopsTheMasterThenRemovesExactlyTheGatewayRows() {
        Northbound nb = new Northbound(harness.nb, Duration.ofSeconds(30));
        Map<String, Map<UUID, Map<String, Object>>> before = dump(nb);
        Set<UUID> gateway = new HashSet<>();
        before.forEach((table, rows) -> rows.forEach((uuid, columns) -> {
            Object ids = columns.get("external_ids");
            if (ids instanceof Map<?, ?> map && "ovnk-gateway".equals(map.get(GatewayNames.OWNER_CONTROLLER))
                    || GatewayNames.LEGACY_LB_GROUP.equals(columns.get("name"))
                    || String.valueOf(columns.get("logical_port")).startsWith("rtoj-GR_")) {
                gateway.add(uuid);
            }
        }));
        assertTrue(gateway.size() > 30, "gateway rows: " + gateway.size());

        // the command's switch stops this term, as SCR deactivating the master component does; the rows stay until
        // the term has stopped, and its handlers are gone before anything is removed
        List<String> removed = new ArrayList<>();
        String out = new CleanupCommand(new CleanupCommand.MasterSwitch() {
            @Override
            public boolean disable() {
                assertTrue(harness.hub.queues().stream().anyMatch(q -> q.handler().equals("ovnk-gateway-nodes")),
                        harness.hub.queues().toString());
                term.close();
                assertEquals("172.30.0.2", get("Logical_Router", "GR_node1", "external_ids:physical_ip"));
                assertTrue(harness.hub.queues().stream().noneMatch(q -> q.handler().startsWith("ovnk-gateway")),
                        harness.hub.queues().toString());
                return true;
            }

            @Override
            public boolean enable() {
                throw new AssertionError("not called");
            }
        }, Optional.of(() -> {
            removed.addAll(new GatewayCleanup(nb).run());
            return removed;
        })).cleanup();
        assertTrue(out.contains(removed.size() + " gateway rows removed; the gateway master of this process is stopped "
                + "and disabled. gateway:enable starts it again"), out);
        assertTrue(out.startsWith("removed "), out);

        assertEquals(gateway.size(), removed.size(), String.join("\n", removed));
        assertTrue(removed.contains("Logical_Router GR_node1 (node1)"), String.join("\n", removed));
        assertTrue(removed.contains("Load_Balancer Service_nodeports_node1_TCP (node1)"), String.join("\n", removed));
        assertTrue(removed.contains("Static_MAC_Binding rtoj-GR_node1 100.64.0.1 is 0a:58:64:40:00:01"),
                String.join("\n", removed));
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
                "Gateway_Chassis", "ACL", "Address_Set", "Port_Group", "Static_MAC_Binding");
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
