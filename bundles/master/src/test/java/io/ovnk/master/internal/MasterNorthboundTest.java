package io.ovnk.master.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.ovnk.ipam.Cidr;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.PodNetwork;
import io.ovnk.kube.PodNetworksAnnotation;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nodes, pods and a Service created in the (mock) API server become exactly the specified Northbound rows;
 * ovn-northd binds every pod port; ovn-trace follows a packet from a pod on one node to a pod on the other, and
 * to the Service's VIP through the load balancer's DNAT.
 */
@RequiresOvn
class MasterNorthboundTest {

    private static MasterHarness harness;
    private static MasterHarness.Term term;

    @BeforeAll
    static void start() throws Exception {
        harness = new MasterHarness();
        harness.nb.monitor(TableMonitor.of("Logical_Switch"), TableMonitor.of("Logical_Switch_Port"),
                TableMonitor.of("Logical_Router"), TableMonitor.of("Logical_Router_Port"),
                TableMonitor.of("Load_Balancer"), TableMonitor.of("Load_Balancer_Group"),
                TableMonitor.of("Gateway_Chassis")).get(30, TimeUnit.SECONDS);
        harness.sb.monitor(TableMonitor.of("Port_Binding").columns("logical_port")).get(30, TimeUnit.SECONDS);
        for (String node : List.of("node-a", "node-b")) {
            harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName(node)
                    .addToAnnotations(OvnAnnotations.NODE_CHASSIS_ID, "chassis-" + node).endMetadata().build()).create();
        }
        term = harness.term(4).started();
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private static Row nbRow(String table, String name) throws Exception {
        return harness.nb.cache().await(table, row -> name.equals(row.string("name")), Duration.ofSeconds(20))
                .get(30, TimeUnit.SECONDS);
    }

    private static Pod pod(String name, String node) {
        return new PodBuilder().withNewMetadata().withNamespace("shop").withName(name).withUid("uid-" + name)
                .addToLabels("app", "web").endMetadata().withNewSpec().withNodeName(node).addNewContainer()
                .withName("c").withImage("pause").endContainer().endSpec().build();
    }

    private static PodNetwork annotatedNetwork(String name) throws Exception {
        for (int attempt = 0; ; attempt++) {
            Pod pod = harness.kube.pods().inNamespace("shop").withName(name)
                    .waitUntilCondition(p -> p.getMetadata().getAnnotations() != null
                            && p.getMetadata().getAnnotations().containsKey(OvnAnnotations.POD_NETWORKS), 20, TimeUnit.SECONDS);
            return PodNetworksAnnotation.parse(pod.getMetadata().getAnnotations().get(OvnAnnotations.POD_NETWORKS))
                    .defaultNetwork();
        }
    }

    @Test
    void theClusterNodesPodsAndServiceAreWrittenAsSpecifiedAndTraceable() throws Exception {
        // cluster topology
        Row router = nbRow("Logical_Router", "ovn_cluster_router");
        assertEquals("yes", router.<String, String>map("external_ids").get("k8s-cluster-router"));
        assertEquals("ovnk", router.<String, String>map("external_ids").get(OvnNames.OWNER_CONTROLLER));
        Row group = nbRow("Load_Balancer_Group", "clusterLBGroup");
        assertEquals(Set.of(group.uuid()), router.set("load_balancer_group"));
        Row rtoj = nbRow("Logical_Router_Port", "rtoj-ovn_cluster_router");
        assertEquals(Set.of("100.64.0.1/16"), rtoj.set("networks"));
        assertEquals("0a:58:64:40:00:01", rtoj.string("mac"));
        Row join = nbRow("Logical_Switch", "join");
        Row jtor = nbRow("Logical_Switch_Port", "jtor-ovn_cluster_router");
        assertTrue(join.set("ports").contains(jtor.uuid()));
        assertEquals("router", jtor.string("type"));
        assertEquals(Map.of("router-port", "rtoj-ovn_cluster_router"), jtor.map("options"));

        // nodes: annotation, switch, router port, management port, gateway chassis
        Map<String, String> subnets = Map.of();
        for (String node : List.of("node-a", "node-b")) {
            String annotation = harness.kube.nodes().withName(node).waitUntilCondition(n -> n.getMetadata()
                    .getAnnotations().containsKey(OvnAnnotations.NODE_SUBNETS), 20, TimeUnit.SECONDS)
                    .getMetadata().getAnnotations().get(OvnAnnotations.NODE_SUBNETS);
            Cidr subnet = io.ovnk.kube.NodeSubnetsAnnotation.parse(annotation).defaultNetwork().get(0);
            Row ls = nbRow("Logical_Switch", node);
            assertEquals(Map.of("subnet", subnet.toString(), "exclude_ips", subnet.network().plus(2).toString()),
                    ls.map("other_config"));
            assertEquals(Set.of(group.uuid()), ls.set("load_balancer_group"));
            Row rtos = nbRow("Logical_Router_Port", "rtos-" + node);
            assertEquals(Set.of(new Cidr(subnet.network().plus(1), 23).toString()), rtos.set("networks"));
            assertEquals(io.ovnk.ipam.MacAddress.forAddress(subnet.network().plus(1)).toString(), rtos.string("mac"));
            assertTrue(router.set("ports").size() >= 1);
            Row stor = nbRow("Logical_Switch_Port", "stor-" + node);
            assertEquals(Map.of("router-port", "rtos-" + node), stor.map("options"));
            Row management = nbRow("Logical_Switch_Port", "k8s-" + node);
            assertEquals(Set.of(io.ovnk.ipam.MacAddress.forAddress(subnet.network().plus(2)) + " "
                    + subnet.network().plus(2)), management.set("addresses"));
            assertTrue(ls.set("ports").containsAll(Set.of(stor.uuid(), management.uuid())));
            Row chassis = nbRow("Gateway_Chassis", "rtos-" + node + "-chassis-" + node);
            assertEquals("chassis-" + node, chassis.string("chassis_name"));
            harness.nb.cache().await("Logical_Router_Port", row -> ("rtos-" + node).equals(row.string("name"))
                    && row.set("gateway_chassis").contains(chassis.uuid()), Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        }

        // pods: annotation first, then the port; northd binds it
        harness.kube.pods().inNamespace("shop").resource(pod("web-a", "node-a")).create();
        harness.kube.pods().inNamespace("shop").resource(pod("web-b", "node-b")).create();
        PodNetwork a = annotatedNetwork("web-a");
        PodNetwork b = annotatedNetwork("web-b");
        String legacy = harness.kube.pods().inNamespace("shop").withName("web-a").get().getMetadata().getAnnotations()
                .get(OvnAnnotations.LEGACY_POD);
        assertEquals(io.ovnk.kube.LegacyPodAnnotation.of(a), io.ovnk.kube.LegacyPodAnnotation.parse(legacy));
        Row port = harness.nb.cache().await("Logical_Switch_Port", row -> "shop_web-a".equals(row.string("name")),
                Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        String addresses = a.macAddress() + " " + a.ipAddresses().get(0).address();
        assertEquals(Set.of(addresses), port.set("addresses"));
        assertEquals(Set.of(addresses), port.set("port_security"));
        String uid = harness.kube.pods().inNamespace("shop").withName("web-a").get().getMetadata().getUid();
        assertEquals(Map.of("requested-chassis", "node-a", "iface-id-ver", uid), port.map("options"));
        assertEquals("shop", port.<String, String>map("external_ids").get("namespace"));
        assertEquals("true", port.<String, String>map("external_ids").get("pod"));
        assertEquals("shop/web-a", port.<String, String>map("external_ids").get(OvnNames.OWNER));
        assertTrue(nbRow("Logical_Switch", "node-a").set("ports").contains(port.uuid()) || harness.nb.cache()
                .await("Logical_Switch", row -> "node-a".equals(row.string("name")) && row.set("ports").contains(port.uuid()),
                        Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS) != null);
        for (String bound : List.of("shop_web-a", "shop_web-b")) {
            harness.sb.cache().await("Port_Binding", row -> bound.equals(row.string("logical_port")), Duration.ofSeconds(20))
                    .get(30, TimeUnit.SECONDS);
        }

        // a Service in front of web-b
        harness.kube.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withNamespace("shop")
                .withName("web").endMetadata().withNewSpec().withClusterIP("172.16.1.10").withClusterIPs("172.16.1.10")
                .addNewPort().withName("http").withProtocol("TCP").withPort(80).endPort()
                .withSessionAffinity("ClientIP").endSpec().build()).create();
        Row empty = harness.nb.cache().await("Load_Balancer", row -> "Service_shop/web_TCP_cluster".equals(row.string("name")),
                Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        assertEquals(Map.of("172.16.1.10:80", ""), empty.map("vips"));
        assertEquals("true", empty.<String, String>map("options").get("reject"), "no endpoints yet: reject");
        assertEquals("10800", empty.<String, String>map("options").get("affinity_timeout"));
        harness.kube.discovery().v1().endpointSlices().inNamespace("shop").resource(new EndpointSliceBuilder()
                .withNewMetadata().withNamespace("shop").withName("web-1")
                .addToLabels(ServiceBalancers.SERVICE_NAME_LABEL, "web").endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort()
                .addNewEndpoint().withAddresses(b.ipAddresses().get(0).address().toString()).withNewConditions()
                .withReady(true).endConditions().endEndpoint().build()).create();
        String backend = b.ipAddresses().get(0).address() + ":8080";
        Row balancer = harness.nb.cache().await("Load_Balancer", row -> "Service_shop/web_TCP_cluster".equals(row.string("name"))
                && backend.equals(row.<String, String>map("vips").get("172.16.1.10:80")), Duration.ofSeconds(20))
                .get(30, TimeUnit.SECONDS);
        assertEquals(Set.of("tcp"), balancer.set("protocol"));
        assertEquals(null, balancer.<String, String>map("options").get("reject"), "endpoints now: no reject");
        harness.nb.cache().await("Load_Balancer_Group", row -> row.set("load_balancer").contains(balancer.uuid()),
                Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);

        // ovn-trace: pod a to pod b across nodes, and pod a to the VIP
        String gatewayMac = io.ovnk.ipam.MacAddress.forAddress(a.gatewayIps().get(0)).toString();
        String toPod = trace("node-a", "inport == \"shop_web-a\" && eth.src == " + a.macAddress() + " && eth.dst == "
                + gatewayMac + " && ip4.src == " + a.ipAddresses().get(0).address() + " && ip4.dst == "
                + b.ipAddresses().get(0).address() + " && ip.ttl == 64 && tcp && tcp.dst == 8080");
        assertTrue(toPod.contains("output(\"shop_web-b\")") || toPod.contains("output to \"shop_web-b\""), toPod);
        String toVip = trace("node-a", "inport == \"shop_web-a\" && eth.src == " + a.macAddress() + " && eth.dst == "
                + gatewayMac + " && ip4.src == " + a.ipAddresses().get(0).address()
                + " && ip4.dst == 172.16.1.10 && ip.ttl == 64 && tcp && tcp.dst == 80");
        assertTrue(toVip.contains("ct_lb") && toVip.contains(backend), toVip);
    }

    private static String trace(String datapath, String flow) {
        return harness.stack.commands().run("ovn-trace", "--db=" + "unix:" + harness.stack.southbound().socket(),
                "--ct=new", datapath, flow);
    }
}
