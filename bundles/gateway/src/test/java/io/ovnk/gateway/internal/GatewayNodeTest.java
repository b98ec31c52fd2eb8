package io.ovnk.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import io.ovnk.kube.L3GatewayConfig;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.PodNetwork;
import io.ovnk.kube.PodNetworksAnnotation;
import io.ovnk.kube.internal.ClientAnnotator;
import io.ovnk.ovnstack.Chassis;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.Pod;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.TableMonitor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The gateway's node side on a real chassis, and the whole shared gateway end to end: an "external host" (a
 * namespace wired by a veth to the chassis's uplink {@code gw0}) reaches a pod through a NodePort on the node's
 * IP, and a pod reaches the external host, which sees the node's IP as the source.
 */
@RequiresOvn
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayNodeTest {

    private static final String NODE_IP = "172.30.0.2";
    private static final String EXTERNAL_IP = "172.30.0.1";

    private static GatewayHarness harness;
    private static Chassis chassis;
    private static Pod external;
    private static Pod webPod;
    private static OvsdbClient ovs;
    private static final List<AutoCloseable> closeables = new ArrayList<>();
    private static final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        harness = new GatewayHarness(OvnStack.builder().southbound().chassis(1).start());
        chassis = harness.stack.chassis(0);
        String ns = chassis.namespace().orElseThrow();
        // the external host: a namespace of the stack (removed with it), wired to the chassis's uplink gw0
        external = harness.stack.createPod("external");
        run("ip", "link", "add", "gw0", "netns", ns, "type", "veth", "peer", "name", "eth0", "netns", external.namespace());
        external.exec("ip", "addr", "add", EXTERNAL_IP + "/24", "dev", "eth0");
        external.exec("ip", "link", "set", "eth0", "up");
        external.exec("ethtool", "-K", "eth0", "tx", "off");
        chassis.execInDatapathNamespace("ip", "link", "set", "gw0", "up");
        // a second uplink with an address and a default route, for the facts read from the kernel
        Pod other = harness.stack.createPod("other");
        run("ip", "link", "add", "up1", "netns", ns, "type", "veth", "peer", "name", "eth0", "netns", other.namespace());
        chassis.execInDatapathNamespace("ip", "addr", "add", "192.168.77.2/24", "dev", "up1");
        chassis.execInDatapathNamespace("ip", "link", "set", "up1", "up");
        chassis.execInDatapathNamespace("ip", "route", "add", "default", "via", "192.168.77.1");
        chassis.vsctl("set", "Open_vSwitch", ".", "external_ids:ovn-bridge-mappings=other:br-other");
        ovs = OvsdbClients.connect(OvsdbClientConfig.of("Open_vSwitch", chassis.database().unixRemote()));
        // as the overlay node does on the shared client: a monitor of Open_vSwitch, Bridge, Port and Interface
        ovs.monitor(TableMonitor.of("Open_vSwitch"), TableMonitor.of("Bridge"), TableMonitor.of("Port"),
                TableMonitor.of("Interface")).get(30, TimeUnit.SECONDS);
        harness.term("30000-32767");
        harness.createNode("node1", "node1", null);
        harness.createNode("node-facts", "chassis-facts", null);
    }

    @AfterAll
    static void stop() {
        processes.forEach(Process::destroyForcibly);
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                // the rest next
            }
        }
        if (ovs != null) {
            ovs.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    private static void run(String... command) {
        harness.stack.commands().run(io.ovnk.ovnstack.Commands.DEFAULT_TIMEOUT, List.of(command));
    }

    private static NodeGateway gateway(String node, String bridge, String uplink, String physnet, Optional<Cidr> ip,
            Optional<MacAddress> mac, Optional<IpAddress> nextHop) {
        NodeGateway gateway = new NodeGateway(new NodeGateway.Settings(node, bridge, uplink, physnet, ip, mac, nextHop, 0,
                chassis.namespace().orElseThrow(), "netdev", true), new ExternalBridge(ovs, Duration.ofSeconds(30)),
                new Uplink(chassis.namespace().orElseThrow(), Duration.ofSeconds(10)), new ClientAnnotator(harness.kube),
                new Problems(harness.kube, "ovnk-gateway-node"));
        closeables.add(gateway);
        return gateway;
    }

    @Test
    @Order(1)
    void uplinkFactsBridgeMappingsAndAnnotation() throws Exception {
        L3GatewayConfig config = gateway("node-facts", "br-t", "up1", "testnet", Optional.empty(), Optional.empty(),
                Optional.empty()).start().get(60, TimeUnit.SECONDS);
        String mac = chassis.execInDatapathNamespace("cat", "/sys/class/net/up1/address").trim();
        String expected = "{\"default\":{\"mode\":\"shared\",\"interface-id\":\"br-t_node-facts\",\"mac-address\":\"" + mac
                + "\",\"ip-addresses\":[\"192.168.77.2/24\"],\"ip-address\":\"192.168.77.2/24\",\"next-hops\":[\"192.168.77.1\"],"
                + "\"next-hop\":\"192.168.77.1\",\"node-port-enable\":\"true\",\"vlan-id\":\"0\"}}";
        assertEquals(expected, config.toJson());
        assertEquals(expected, harness.kube.nodes().withName("node-facts").get().getMetadata().getAnnotations()
                .get(OvnAnnotations.L3_GATEWAY_CONFIG));
        assertTrue(chassis.vsctl("list-ports", "br-t").lines().anyMatch("up1"::equals));
        assertEquals("netdev", chassis.vsctl("get", "Bridge", "br-t", "datapath_type").trim());
        assertEquals("\"other:br-other,testnet:br-t\"",
                chassis.vsctl("get", "Open_vSwitch", ".", "external_ids:ovn-bridge-mappings").trim());
        // the uplink keeps its address (nothing is moved off it)
        assertTrue(chassis.execInDatapathNamespace("ip", "-4", "addr", "show", "dev", "up1").contains("192.168.77.2/24"));
        // again, as after a restart: nothing changes
        assertFalse(new ExternalBridge(ovs, Duration.ofSeconds(30)).ensure("br-t", "up1", "testnet", "netdev").changed());
    }

    @Test
    @Order(2)
    void missingUplinkIsAnErrorAndAnEventNamingIt() throws Exception {
        CompletableFuture<Event> event = harness.awaitEvent("node-facts", "GatewayUplinkProblem");
        gateway("node-facts", "br-x", "nope0", "physnet", Optional.empty(), Optional.empty(), Optional.empty()).start();
        Event warning = event.get(30, TimeUnit.SECONDS);
        assertTrue(warning.getMessage().contains("uplink nope0: no such interface"), warning.getMessage());
        assertEquals("Warning", warning.getType());
        assertTrue(chassis.vsctl("list-br").lines().noneMatch("br-x"::equals), "no bridge for a missing uplink");
    }

    @Test
    @Order(3)
    void gatewayAndNodePortServiceAreProgrammedForAPodOnTheNode() throws Exception {
        gateway("node1", "br-ex", "gw0", "physnet", Optional.of(Cidr.parse(NODE_IP + "/24")),
                Optional.of(MacAddress.parse("0a:00:ac:1e:00:02")), Optional.of(IpAddress.parse(EXTERNAL_IP)))
                .start().get(60, TimeUnit.SECONDS);
        harness.awaitRow("Logical_Router", "GR_node1", "external_ids:physical_ip=" + NODE_IP);
        assertEquals("\"other:br-other,testnet:br-t,physnet:br-ex\"",
                chassis.vsctl("get", "Open_vSwitch", ".", "external_ids:ovn-bridge-mappings").trim());

        // a pod, wired by the master and plugged as a CNI ADD would
        harness.kube.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("web")
                .withNamespace("default").endMetadata().withNewSpec().withNodeName("node1").addNewContainer()
                .withName("c").withImage("x").endContainer().endSpec().build()).create();
        harness.awaitRow("Logical_Switch_Port", "default_web", "name=default_web");
        PodNetwork network = PodNetworksAnnotation.parse(harness.kube.pods().inNamespace("default").withName("web").get()
                .getMetadata().getAnnotations().get(OvnAnnotations.POD_NETWORKS)).defaultNetwork();
        Cidr podCidr = network.ipAddresses().get(0);
        // as a CNI ADD does: the interface names the pod's UID, which the master put in options:iface-id-ver
        String uid = harness.kube.pods().inNamespace("default").withName("web").get().getMetadata().getUid();
        Pod web = webPod = chassis.plug(harness.stack.createPod("web"), "default_web", network.macAddress().toString(),
                podCidr.toString(), network.gatewayIps().get(0).toString(), 1400, Map.of("iface-id-ver", uid));
        serve(web, "$s=IO::Socket::INET->new(LocalPort=>8080,Listen=>5,ReuseAddr=>1) or die $!; print \"ready\\n\"; "
                + "while($c=$s->accept){$l=<$c>; print $c \"echo:$l\"; close $c}");
        serve(web, "$s=IO::Socket::INET->new(LocalPort=>8080,Proto=>'udp') or die $!; print \"ready\\n\"; "
                + "while(1){$s->recv($m,1024); $s->send(\"udp:$m\")}");
        serve(external, "$s=IO::Socket::INET->new(LocalPort=>9000,Listen=>5,ReuseAddr=>1) or die $!; print \"ready\\n\"; "
                + "while($c=$s->accept){print $c $c->peerhost.\"\\n\"; close $c}");

        harness.kube.resource(GatewayMasterTest.nodePortService("web", 30080, "TCP", "UDP")).create();
        harness.kube.resource(GatewayMasterTest.slice("web", Map.of(podCidr.address().toString(), true), "TCP", "UDP"))
                .create();
        harness.awaitRow("Load_Balancer", "Service_nodeports_node1_TCP",
                "vips:\"" + NODE_IP + ":30080\"=\"" + podCidr.address() + ":8080\"");
        harness.awaitRow("Load_Balancer", "Service_nodeports_node1_UDP",
                "vips:\"" + NODE_IP + ":30080\"=\"" + podCidr.address() + ":8080\"");
        harness.stack.nbctl("--wait=hv", "sync"); // every chassis has the flows
        // as specified: traffic to a NodePort VIP is SNATed to the router's address towards the pod
        assertEquals("router_ip", harness.nbctl("get", "Logical_Router", "GR_node1", "options:lb_force_snat_ip")
                .replace("\"", ""));
    }

    /**
     * The very first traffic between the external host and the node is a NodePort connection: the gateway router
     * has never seen the external host (no MAC_Binding), so its answer towards the client needs ARP first, and the
     * client's SYN, DNATed to the pod, must not wait for ARP towards the cluster router: a packet that waited is
     * re-injected without its conntrack state, and the connection was reset (the static MAC binding of the cluster
     * router's join address on {@code rtoj-GR_<node>} prevents it).
     */
    @Test
    @Order(4)
    void theFirstConnectionFromAnUnknownExternalHostSucceeds() throws Exception {
        assertEquals("", harness.stack.sbctl("--bare", "--columns=mac", "find", "MAC_Binding", "ip=" + EXTERNAL_IP)
                .trim(), "the gateway router has not learned the external host yet");
        String tcp = external.exec("timeout", "10", "bash", "-c", "exec 3<>/dev/tcp/" + NODE_IP
                + "/30080; echo hello >&3; cat <&3").trim();
        assertEquals("echo:hello", tcp);
    }

    @Test
    @Order(5)
    void podsLeaveWithTheNodeIpAndNodePortsServeTcpAndUdp() throws Exception {
        Pod web = webPod;
        String source = web.exec("timeout", "10", "bash", "-c", "exec 3<>/dev/tcp/" + EXTERNAL_IP + "/9000; head -1 <&3")
                .trim();
        assertEquals(NODE_IP, source, "the external host sees the node's IP (SNAT on GR_node1)");
        String tcp = external.exec("timeout", "10", "bash", "-c", "exec 3<>/dev/tcp/" + NODE_IP
                + "/30080; echo hello >&3; cat <&3").trim();
        assertEquals("echo:hello", tcp);
        String udp = external.exec("timeout", "10", "perl", "-MIO::Socket::INET", "-e", "$s=IO::Socket::INET->new("
                + "PeerAddr=>'" + NODE_IP + ":30080',Proto=>'udp') or die; $s->send('ping'); $s->recv($m,1024); print $m").trim();
        assertEquals("udp:ping", udp);
    }

    /** Starts a perl server in a namespace and waits for its "ready" line; it is stopped (by its PID) at the end. */
    private static void serve(Pod where, String script) throws Exception {
        Process process = new ProcessBuilder("ip", "netns", "exec", where.namespace(), "perl", "-MIO::Socket::INET",
                "-e", "$|=1; " + script).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(10, TimeUnit.SECONDS));
    }
}
