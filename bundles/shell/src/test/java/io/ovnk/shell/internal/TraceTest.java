package io.ovnk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The microflow from the pods' annotations, the ovn-trace command line, and verdicts read from real ovn-trace
 * 23.03 outputs (src/test/resources/ovn-trace: captured against ovn-northd's logical flows for the master's
 * topology, built by capture.sh there: shop_web-a 10.128.0.3 on node-a, shop_web-b 10.128.2.3 on node-b,
 * shop_db-a 10.128.0.4 on node-a behind a drop ACL for tcp 5432, the Service VIP 172.16.1.10:80 to
 * 10.128.2.3:8080 and 172.16.1.11:80 without endpoints, rejecting).
 */
class TraceTest {

    private static Pod pod(String name, String node, String ip, String mac, String gateway) {
        return new PodBuilder().withNewMetadata().withNamespace("shop").withName(name)
                .addToAnnotations("k8s.ovn.org/pod-networks", "{\"default\":{\"ip_addresses\":[\"" + ip + "\"],"
                        + "\"mac_address\":\"" + mac + "\",\"gateway_ips\":[\"" + gateway + "\"]}}")
                .endMetadata().withNewSpec().withNodeName(node).endSpec().build();
    }

    private static final Trace.Endpoint WEB_A = Trace.endpoint(pod("web-a", "node-a", "10.128.0.3/23",
            "0a:58:0a:80:00:03", "10.128.0.1"));
    private static final Trace.Endpoint WEB_B = Trace.endpoint(pod("web-b", "node-b", "10.128.2.3/23",
            "0a:58:0a:80:02:03", "10.128.2.1"));
    private static final Trace.Endpoint DB_A = Trace.endpoint(pod("db-a", "node-a", "10.128.0.4/23",
            "0a:58:0a:80:00:04", "10.128.0.1"));

    private static String captured(String name) throws IOException {
        try (InputStream in = TraceTest.class.getResourceAsStream("/ovn-trace/" + name + ".txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void podToPodOnAnotherNodeGoesToTheGatewayMacOfRtos() {
        Trace.Microflow flow = Trace.microflow(WEB_A, WEB_B, IpAddress.parse("10.128.2.3"), 8080, Trace.Protocol.NONE, null);
        assertEquals("node-a", flow.datapath());
        assertEquals("inport == \"shop_web-a\" && eth.src == 0a:58:0a:80:00:03 && eth.dst == 0a:58:0a:80:00:01"
                + " && ip4.src == 10.128.0.3 && ip4.dst == 10.128.2.3 && ip.ttl == 64 && tcp && tcp.dst == 8080",
                flow.expression());
    }

    @Test
    void podToPodOnTheSameSwitchGoesToThePodsMac() {
        Trace.Microflow flow = Trace.microflow(WEB_A, DB_A, IpAddress.parse("10.128.0.4"), 53, Trace.Protocol.UDP, null);
        assertEquals("inport == \"shop_web-a\" && eth.src == 0a:58:0a:80:00:03 && eth.dst == 0a:58:0a:80:00:04"
                + " && ip4.src == 10.128.0.3 && ip4.dst == 10.128.0.4 && ip.ttl == 64 && udp && udp.dst == 53",
                flow.expression());
    }

    @Test
    void anIpWithoutPortIsPlainIpAndTheRouterMacFromTheNorthboundWins() {
        Trace.Microflow flow = Trace.microflow(WEB_A, null, IpAddress.parse("172.16.1.10"), null, Trace.Protocol.NONE,
                MacAddress.parse("0a:58:0a:80:00:99"));
        assertEquals("inport == \"shop_web-a\" && eth.src == 0a:58:0a:80:00:03 && eth.dst == 0a:58:0a:80:00:99"
                + " && ip4.src == 10.128.0.3 && ip4.dst == 172.16.1.10 && ip.ttl == 64", flow.expression());
        assertTrue(Trace.microflow(WEB_A, null, IpAddress.parse("172.16.1.10"), null, Trace.Protocol.TCP, null)
                .expression().endsWith("&& ip.ttl == 64 && tcp"));
    }

    @Test
    void anIpv6DestinationNeedsAnIpv6Source() {
        assertEquals("pod shop/web-a has no IPv6 address to reach fd00::1 (addresses: [10.128.0.3/23])",
                assertThrows(IllegalArgumentException.class, () -> Trace.microflow(WEB_A, null,
                        IpAddress.parse("fd00::1"), 80, Trace.Protocol.NONE, null)).getMessage());
    }

    @Test
    void theCommandHasTheSouthboundAConntrackStateForEachPassTheDatapathAndTheFlow() {
        Trace.Microflow flow = new Trace.Microflow("node-a", "inport == \"shop_web-a\"");
        List<String> command = Trace.command("tcp:10.0.0.10:6642", List.of(), flow);
        assertEquals(List.of("ovn-trace", "--db=tcp:10.0.0.10:6642", "--ct=new", "--ct=new", "--ct=new", "--ct=new",
                "node-a", "inport == \"shop_web-a\""), command);
        assertEquals("ovn-trace --db=tcp:10.0.0.10:6642 --ct=new --ct=new --ct=new --ct=new node-a "
                + "'inport == \"shop_web-a\"'", Trace.display(command));
    }

    @Test
    void southboundRemotesAreNormalisedAndSslGetsTheTlsFiles() {
        assertEquals(new OvnkCommands.Southbound("tcp:10.0.0.10:6642,tcp:10.0.0.11:6642", List.of()),
                OvnkCommands.southbound("tcp://10.0.0.10:6642, tcp:10.0.0.11:6642", null, null, null));
        assertEquals(List.of("--private-key=/k.pem", "--certificate=/c.pem", "--ca-cert=/ca.pem"),
                OvnkCommands.southbound("ssl:10.0.0.10:6642", "/k.pem", "/c.pem", "/ca.pem").tls());
    }

    @Test
    void destinationsParse() {
        assertEquals(new Trace.Target("shop", "web-b", null, null), Trace.target("shop/web-b"));
        assertEquals(new Trace.Target("shop", "web-b", null, 8080), Trace.target("shop/web-b:8080"));
        assertEquals(new Trace.Target(null, null, IpAddress.parse("172.16.1.10"), 80), Trace.target("172.16.1.10:80"));
        assertEquals(new Trace.Target(null, null, IpAddress.parse("172.16.1.10"), null), Trace.target("172.16.1.10"));
        assertEquals(new Trace.Target(null, null, IpAddress.parse("fd00::1"), 443), Trace.target("[fd00::1]:443"));
        assertEquals(new Trace.Target(null, null, IpAddress.parse("fd00::1"), null), Trace.target("fd00::1"));
        for (String bad : List.of("web-b", "10.0.0.300", "shop/", "/web", "10.0.0.1:0", "10.0.0.1:http", "[fd00::1")) {
            String message = assertThrows(IllegalArgumentException.class, () -> Trace.target(bad)).getMessage();
            assertTrue(message.startsWith("destination \"" + bad + "\""), message);
        }
    }

    @Test
    void podsWithoutAnAnnotationOrOnTheHostNetworkCannotBeTraced() {
        Pod pending = new PodBuilder().withNewMetadata().withNamespace("shop").withName("db-0").endMetadata()
                .withNewSpec().withNodeName("node-a").endSpec().build();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Trace.endpoint(pending)).getMessage()
                .startsWith("pod shop/db-0 has no k8s.ovn.org/pod-networks annotation yet"));
        Pod host = new PodBuilder().withNewMetadata().withNamespace("kube-system").withName("proxy").endMetadata()
                .withNewSpec().withNodeName("node-a").withHostNetwork(true).endSpec().build();
        assertEquals("pod kube-system/proxy uses the host network: it has no logical port to trace",
                assertThrows(IllegalArgumentException.class, () -> Trace.endpoint(host)).getMessage());
        Pod malformed = new PodBuilder().withNewMetadata().withNamespace("shop").withName("bad")
                .addToAnnotations("k8s.ovn.org/pod-networks", "{not json").endMetadata().withNewSpec()
                .withNodeName("node-a").endSpec().build();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Trace.endpoint(malformed)).getMessage()
                .startsWith("pod shop/bad: "));
    }

    @Test
    void podToPodIsDelivered() throws IOException {
        Trace.Verdict verdict = Trace.verdict(0, captured("pod-to-pod"), "shop_web-a");
        assertEquals(new Trace.Verdict("delivered", "shop_web-b", List.of(), "delivered to shop_web-b"), verdict);
        assertEquals("delivered to shop_db-a", Trace.verdict(0, captured("same-switch"), "shop_web-a").text());
    }

    @Test
    void theVipIsNattedToItsBackendAndDelivered() throws IOException {
        Trace.Verdict verdict = Trace.verdict(0, captured("pod-to-vip"), "shop_web-a");
        assertEquals("delivered", verdict.kind());
        assertEquals(List.of("10.128.2.3:8080"), verdict.nat());
        assertEquals("NAT to 10.128.2.3:8080, delivered to shop_web-b", verdict.text());
    }

    @Test
    void aVipWithoutEndpointsRejects() throws IOException {
        Trace.Verdict verdict = Trace.verdict(0, captured("vip-reject"), "shop_web-a");
        assertEquals("rejected", verdict.kind());
        assertEquals("shop_web-a", verdict.port());
        assertTrue(verdict.text().startsWith("rejected: a reset/ICMP error goes back to shop_web-a (rejected in "
                + "node-a ingress ls_in_lb (priority 120, match ct.new && ip4.dst == 172.16.1.11 && tcp.dst == 80))"),
                verdict.text());
    }

    @Test
    void anAclDropSaysWhere() throws IOException {
        Trace.Verdict verdict = Trace.verdict(0, captured("acl-drop"), "shop_web-a");
        assertEquals("dropped", verdict.kind());
        assertNull(verdict.port());
        assertEquals("dropped in node-a egress ls_out_acl (priority 2000, match reg0[9] == 1 && (outport == "
                + "\"shop_db-a\" && tcp.dst == 5432))", verdict.text());
    }

    @Test
    void noRouteIsADropInTheRouter() throws IOException {
        assertEquals("dropped in ovn_cluster_router ingress lr_in_ip_routing (priority 0, match 1)",
                Trace.verdict(0, captured("no-route"), "shop_web-a").text());
    }

    @Test
    void ovnTraceFailingIsSaid() throws IOException {
        Trace.Verdict verdict = Trace.verdict(134, captured("unknown-port"), "shop_nope");
        assertEquals("failed", verdict.kind());
        assertEquals("ovn-trace failed (exit 134): shop_nope: unknown logical port; microflow does not specify "
                + "ingress port", verdict.text());
    }

    @Test
    void theProcessRunsWithoutShellAndIsKilledAtTheDeadline() throws IOException {
        TraceProcess.Outcome echo = TraceProcess.SYSTEM.run(List.of("echo", "a && b"), Duration.ofSeconds(10));
        assertEquals(new TraceProcess.Outcome(0, "a && b\n", false), echo);
        long start = System.nanoTime();
        TraceProcess.Outcome sleep = TraceProcess.SYSTEM.run(List.of("sleep", "30"), Duration.ofMillis(300));
        assertTrue(sleep.timedOut());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
        assertThrows(IOException.class, () -> TraceProcess.SYSTEM.run(List.of("/nonexistent/ovn-trace"),
                Duration.ofSeconds(1)));
    }
}
