package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.ovnk.itests.distribution.Cluster.CniOutcome;
import io.ovnk.itests.distribution.Cluster.NodeAgent;
import io.ovnk.ovnstack.junit.RequiresOvn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Pods created through the Kubernetes API and plugged by the CNI shim exactly as kubelet runs it talk over real OVN:
 * on one node (master and node roles in one ovnkube) and across two (a second ovnkube with the node role only).
 */
@RequiresOvn
class ClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LIVE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void podsOnOneNodeTalkToEachOtherTheirGatewayAndAServiceAndDelLeavesNothing() throws Exception {
        try (Cluster cluster = new Cluster(dir, 1)) {
            cluster.withConsole();
            NodeAgent node = cluster.startNode("node-a", 0, "master, node");
            awaitReady(cluster, node);
            Pod api1 = cluster.createPod("default", "pod-1", "node-a");
            Pod api2 = cluster.createPod("default", "pod-2", "node-a");
            io.ovnk.ovnstack.Pod ns1 = cluster.stack.createPod("pod-1");
            io.ovnk.ovnstack.Pod ns2 = cluster.stack.createPod("pod-2");
            String id1 = sandbox();
            String id2 = sandbox();

            JsonNode result1 = added(cluster.cni(node, "ADD", id1, netns(ns1), "eth0", api1, null));
            JsonNode result2 = added(cluster.cni(node, "ADD", id2, netns(ns2), "eth0", api2, null));
            String ip1 = address(result1);
            String ip2 = address(result2);
            assertEquals(annotatedIp(cluster, "pod-1"), ip1, "the result carries the annotated address");
            String gateway = result1.get("ips").get(0).get("gateway").asString();

            assertTrue(ns1.ping(ip2), "pod-1 reaches pod-2 at " + ip2);
            assertTrue(ns2.ping(ip1), "pod-2 reaches pod-1 at " + ip1);
            assertTrue(ns1.ping(gateway), "pod-1 reaches its gateway " + gateway);

            // a ClusterIP Service in front of a TCP server in pod-2
            cluster.kube.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata()
                    .withNamespace("default").withName("echo").endMetadata().withNewSpec().withClusterIP("172.16.1.10")
                    .addNewPort().withPort(80).withProtocol("TCP").withTargetPort(new IntOrString(8080)).endPort()
                    .endSpec().build()).create();
            cluster.kube.discovery().v1().endpointSlices().inNamespace("default").resource(new EndpointSliceBuilder()
                    .withNewMetadata().withNamespace("default").withName("echo-1")
                    .addToLabels("kubernetes.io/service-name", "echo").endMetadata().withAddressType("IPv4")
                    .addNewEndpoint().withAddresses(ip2).withNewConditions().withReady(true).endConditions()
                    .endEndpoint().addNewPort().withPort(8080).withProtocol("TCP").endPort().build()).create();
            cluster.stack.nbctl("--timeout=30", "wait-until", "Load_Balancer", "Service_default/echo_TCP_cluster",
                    "vips:\"172.16.1.10:80\"=\"" + ip2 + ":8080\"");
            cluster.stack.nbctl("--timeout=30", "--wait=hv", "sync");
            Process server = echoServer(ns2, 8080);
            try {
                assertEquals("echo:hello", ns1.exec("bash", "-c", "exec 3<>/dev/tcp/172.16.1.10/80; echo hello >&3; "
                        + "read -t 10 line <&3; echo \"$line\"").strip(), "TCP through the Service VIP");
            } finally {
                server.destroy();
                server.waitFor();
            }

            // what an operator sees of it in the Gogo console: the pods, the Service, and ovn-trace's verdicts
            Ovnkube console = node.ovnkube();
            console.console("ovnk:pods default");
            console.await("default\\s+pod-1\\s+node-a\\s+" + Pattern.quote(ip1) + "/23\\s+0a:58:", LIVE);
            console.console("ovnk:services");
            console.await("default/echo\\s+ClusterIP\\s+172\\.16\\.1\\.10:80/TCP\\s+-\\s+1$", LIVE);
            console.console("ovnk:trace default/pod-1 default/pod-2");
            console.await("verdict\\s+delivered to default_pod-2$", LIVE);
            console.console("ovnk:trace --tcp default/pod-1 172.16.1.10:80");
            console.await("verdict\\s+NAT to " + Pattern.quote(ip2) + ":8080, delivered to default_pod-2$", LIVE);

            // CHECK really checks: it passes, then fails once the pod's interface is gone
            assertEquals(0, cluster.cni(node, "CHECK", id1, netns(ns1), "eth0", api1, prevResult(result1)).exitCode());
            ns1.exec("ip", "link", "del", "eth0");
            CniOutcome broken = cluster.cni(node, "CHECK", id1, netns(ns1), "eth0", api1, prevResult(result1));
            assertEquals(1, broken.exitCode(), broken.stdout());
            assertTrue(broken.stdout().contains("eth0"), "the error names the interface: " + broken.stdout());

            // DEL leaves nothing, twice
            for (int round = 0; round < 2; round++) {
                assertEquals(0, cluster.cni(node, "DEL", id1, netns(ns1), "eth0", api1, null).exitCode());
                assertEquals(0, cluster.cni(node, "DEL", id2, netns(ns2), "eth0", api2, null).exitCode());
            }
            assertEquals(List.of(), podPorts(node), "no pod port left on br-int");
            assertFalse(hostLinks(node).contains(id1.substring(0, 15)), "host veth of pod-1 removed");
            assertFalse(hostLinks(node).contains(id2.substring(0, 15)), "host veth of pod-2 removed");
            assertTrue(ns2.tryExec(Duration.ofSeconds(5), "ip", "link", "show", "eth0").exitCode() != 0,
                    "the pod side went with it");

            // deleting the pods removes their logical ports: only the node's own ports stay on its switch
            cluster.kube.pods().inNamespace("default").withName("pod-1").delete();
            cluster.kube.pods().inNamespace("default").withName("pod-2").delete();
            String nodePorts = cluster.stack.nbctl("--bare", "--columns=_uuid", "find", "Logical_Switch_Port",
                    "name=stor-node-a", "--", "--columns=_uuid", "find", "Logical_Switch_Port", "name=k8s-node-a")
                    .lines().map(String::strip).filter(l -> !l.isEmpty()).reduce((x, y) -> x + "," + y).orElseThrow();
            cluster.stack.nbctl("--timeout=30", "wait-until", "Logical_Switch", "node-a", "ports{<=}" + nodePorts);
        }
    }

    @Test
    void podsOnTwoNodesTalkOverGeneve() throws Exception {
        try (Cluster cluster = new Cluster(dir, 2)) {
            NodeAgent a = cluster.startNode("node-a", 0, "master, node");
            NodeAgent b = cluster.startNode("node-b", 1, "node");
            awaitReady(cluster, a);
            awaitReady(cluster, b);
            Pod apiA = cluster.createPod("default", "left", "node-a");
            Pod apiB = cluster.createPod("default", "right", "node-b");
            io.ovnk.ovnstack.Pod left = cluster.stack.createPod("left");
            io.ovnk.ovnstack.Pod right = cluster.stack.createPod("right");
            String ipA = address(added(cluster.cni(a, "ADD", sandbox(), netns(left), "eth0", apiA, null)));
            String ipB = address(added(cluster.cni(b, "ADD", sandbox(), netns(right), "eth0", apiB, null)));
            assertTrue(left.ping(ipB), "node-a's pod reaches node-b's pod at " + ipB);
            assertTrue(right.ping(ipA), "node-b's pod reaches node-a's pod at " + ipA);
            Process server = echoServer(right, 9090);
            try {
                assertEquals("echo:across", left.exec("bash", "-c", "exec 3<>/dev/tcp/" + ipB + "/9090; "
                        + "echo across >&3; read -t 10 line <&3; echo \"$line\"").strip(), "TCP across nodes");
            } finally {
                server.destroy();
                server.waitFor();
            }
        }
    }

    @Test
    void badCniRequestsGetAnErrorNamingTheProblemAndLeaveNothingBehind() throws Exception {
        try (Cluster cluster = new Cluster(dir, 1)) {
            NodeAgent node = cluster.startNode("node-a", 0, "master, node", "annotation.timeout.ms = 2000\n");
            awaitReady(cluster, node);
            String linksBefore = hostLinks(node);
            Pod pod = cluster.createPod("default", "victim", "node-a");
            io.ovnk.ovnstack.Pod ns = cluster.stack.createPod("victim");
            String config = cluster.pluginConfig(node, null);
            Map<String, String> good = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", sandbox(), "CNI_NETNS",
                    netns(ns), "CNI_IFNAME", "eth0", "CNI_PATH", node.cniBin().toString(), "CNI_ARGS",
                    "K8S_POD_NAMESPACE=default;K8S_POD_NAME=victim;K8S_POD_UID=" + pod.getMetadata().getUid());

            assertError(cluster.exec(node, without(good, "CNI_COMMAND"), config), 4, "CNI_COMMAND");
            assertError(cluster.exec(node, with(good, "CNI_COMMAND", "FROB"), config), 4, "FROB");
            // truncated JSON (the shim still finds the socket path in what is there)
            assertError(cluster.exec(node, good, config.substring(0, config.length() - 1)), 6, "config");
            assertError(cluster.exec(node, good, config.replace("\"1.1.0\"", "\"9.9.9\"")), 1, "9.9.9");
            assertError(cluster.exec(node, with(good, "CNI_NETNS", "/var/run/netns/no-such-pod"), config), 3,
                    "/var/run/netns/no-such-pod");
            assertError(cluster.exec(node, with(good, "CNI_IFNAME", "a-name-of-16-byt"), config), 4, "CNI_IFNAME");
            assertError(cluster.exec(node, without(good, "CNI_ARGS"), config), 4, "K8S_POD_NAME");
            // a pod the master cannot wire (its node does not exist) is never annotated: ADD gives up, says why
            Pod orphan = cluster.createPod("default", "orphan", "node-z");
            Map<String, String> orphanEnv = with(good, "CNI_ARGS", "K8S_POD_NAMESPACE=default;K8S_POD_NAME=orphan;"
                    + "K8S_POD_UID=" + orphan.getMetadata().getUid());
            assertError(cluster.exec(node, orphanEnv, config), 11, "default/orphan");

            assertEquals(List.of(), podPorts(node), "no OVS port left by a refused request");
            assertEquals(linkNames(linksBefore), linkNames(hostLinks(node)), "no veth left by a refused request");
            assertTrue(ns.tryExec(Duration.ofSeconds(5), "ip", "link", "show", "eth0").exitCode() != 0,
                    "nothing made inside the pod");
            // and the node still serves a good request
            added(cluster.cni(node, "ADD", sandbox(), netns(ns), "eth0", pod, null));
        }
    }

    private static void assertError(CniOutcome outcome, int code, String named) {
        assertEquals(1, outcome.exitCode(), "the shim fails: " + outcome.stdout() + outcome.stderr());
        JsonNode error = JSON.readTree(outcome.stdout());
        assertEquals(code, error.get("code").asInt(), "error code of " + outcome.stdout());
        assertTrue(error.get("msg").asString().contains(named) || error.path("details").asString("").contains(named),
                "the error names " + named + ": " + outcome.stdout());
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> changed = new java.util.HashMap<>(env);
        changed.put(key, value);
        return changed;
    }

    private static Map<String, String> without(Map<String, String> env, String key) {
        Map<String, String> changed = new java.util.HashMap<>(env);
        changed.remove(key);
        return changed;
    }

    private static java.util.Set<String> linkNames(String ipLinkOutput) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        ipLinkOutput.lines().forEach(line -> {
            String[] fields = line.split(": ");
            if (fields.length > 1) {
                names.add(fields[1].split("@")[0]);
            }
        });
        return names;
    }

    private static void awaitReady(Cluster cluster, NodeAgent node) {
        node.ovnkube().awaitAnywhere("CNI server: listening on", Cluster.START);
        // STATUS is a request, not an event: the node says when its set-up is complete, then STATUS must agree
        node.ovnkube().awaitAnywhere("node " + node.name() + ": overlay set-up complete", Cluster.START);
        CniOutcome status = cluster.exec(node, Map.of("CNI_COMMAND", "STATUS", "CNI_PATH", node.cniBin().toString()),
                cluster.pluginConfig(node, null));
        assertEquals(0, status.exitCode(), "STATUS once the node is set up: " + status.stdout() + status.stderr());
    }

    private static JsonNode added(CniOutcome outcome) {
        assertEquals(0, outcome.exitCode(), "ADD: " + outcome.stdout() + outcome.stderr());
        return JSON.readTree(outcome.stdout());
    }

    private static String address(JsonNode result) {
        String cidr = result.get("ips").get(0).get("address").asString();
        return cidr.substring(0, cidr.indexOf('/'));
    }

    private static String prevResult(JsonNode result) {
        return "{\"prevResult\":" + result + "}";
    }

    private static String annotatedIp(Cluster cluster, String pod) {
        String annotation = cluster.kube.pods().inNamespace("default").withName(pod).get().getMetadata().getAnnotations()
                .get("k8s.ovn.org/pod-networks");
        String cidr = JSON.readTree(annotation).get("default").get("ip_addresses").get(0).asString();
        return cidr.substring(0, cidr.indexOf('/'));
    }

    private static String netns(io.ovnk.ovnstack.Pod pod) {
        return "/var/run/netns/" + pod.namespace();
    }

    private static String sandbox() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    private static List<String> podPorts(NodeAgent node) {
        return node.chassis().vsctl("--columns=name", "--data=bare", "--no-headings", "find", "Interface",
                "external_ids:sandbox!=\"\"").lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static String hostLinks(NodeAgent node) {
        return node.chassis().execInDatapathNamespace("ip", "-o", "link", "show");
    }

    /** A one-line TCP echo server in the pod (perl, present on every Debian), ready when it says so. */
    private static Process echoServer(io.ovnk.ovnstack.Pod pod, int port) throws Exception {
        Process process = new ProcessBuilder("ip", "netns", "exec", pod.namespace(), "perl", "-MIO::Socket::INET", "-e",
                "$|=1; my $s = IO::Socket::INET->new(LocalPort => " + port + ", Listen => 5, ReuseAddr => 1) or die $!;"
                        + " print \"listening\\n\"; while (my $c = $s->accept) { my $l = <$c>; print $c \"echo:$l\"; close $c }")
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"listening".equals(line)) {
            process.destroyForcibly();
            throw new AssertionError("echo server did not start: " + line);
        }
        return process;
    }
}
