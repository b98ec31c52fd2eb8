package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.itests.distribution.Cluster.CniOutcome;
import io.ovnk.itests.distribution.Cluster.NodeAgent;
import io.ovnk.ovnstack.Chassis;
import io.ovnk.ovnstack.GuestVm;
import io.ovnk.ovnstack.junit.RequiresOvn;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The underlay mode from the distribution, end to end. The hypervisor is the stack's one chassis (configured by the
 * stack, as OpenStack would: no ovnk node agent runs on it); two "VMs" are network namespaces plugged into its br-int
 * as the ordinary logical ports {@code vm1} and {@code vm2} of a switch of their own, each with its own OVS
 * ({@code br-guest} trunking the VM's NIC). One {@code bin/ovnkube} is the master (roles master, mode underlay); one
 * {@code bin/ovnkube} per VM is that VM's node agent (roles node, mode underlay, strategy guest-bridge, its
 * {@code host.netns} the VM's namespace, its {@code Open_vSwitch} connection the VM's OVS). Nodes name their VM port
 * with the annotation {@code k8s.ovn.org/node-vm-port}. Pods are created through the API and plumbed by executing
 * the node's installed shim as kubelet does. One cluster serves every test (in order: the later ones bounce the mode
 * bundle, and each leaves it running).
 */
@RequiresOvn
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UnderlayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LIVE = Duration.ofSeconds(60);
    private static final String VM_SWITCH = "vms";
    private static final String VM_GATEWAY = "192.168.122.1";
    private static final String VLAN_ANNOTATION = "k8s.ovn.org/underlay-vlan";
    private static final String VM_PORT_ANNOTATION = "k8s.ovn.org/node-vm-port";
    private static final String VERSION = System.getProperty("ovnk.version");
    private static final Path UNDERLAY_JAR = Ovnkube.DISTRIBUTION.resolve("system/io/ovnk/underlay/" + VERSION
            + "/underlay-" + VERSION + ".jar");
    /** The ordinary pod's address: the last /28 of each possible node subnet is excluded from the IPAM. */
    private static final String EXCLUDED = "10.128.1.240/28, 10.128.3.240/28, 10.128.5.240/28, 10.128.7.240/28";

    @TempDir
    static Path dir;

    private static Cluster cluster;
    private static Chassis hypervisor;
    private static GuestVm vm1;
    private static GuestVm vm2;
    private static NodeAgent master;
    private static NodeAgent node1;
    private static NodeAgent node2;
    private static io.ovnk.ovnstack.Pod plain;
    private static String plainIp;
    private static final List<Process> processes = Collections.synchronizedList(new ArrayList<>());

    /** A pod in a VM: the API's pod, its namespace, its CNI sandbox and what ADD returned. */
    private record VmPod(Pod api, io.ovnk.ovnstack.Pod ns, String sandbox, String ip, String gateway) {
        String name() {
            return api.getMetadata().getName();
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new Cluster(dir, 1, true);
        try {
            hypervisor = cluster.stack.chassis(0);
            cluster.stack.nbctl("ls-add", VM_SWITCH);
            vm1 = cluster.stack.createVm(hypervisor, "vm1", vmPort("vm1", "0a:58:c0:a8:7a:0b", "192.168.122.11"),
                    "0a:58:c0:a8:7a:0b", "192.168.122.11/24", VM_GATEWAY);
            vm2 = cluster.stack.createVm(hypervisor, "vm2", vmPort("vm2", "0a:58:c0:a8:7a:0c", "192.168.122.12"),
                    "0a:58:c0:a8:7a:0c", "192.168.122.12/24", VM_GATEWAY);
            createNode("node-vm1", "vm1");
            createNode("node-vm2", "vm2");
            createNode("node-ghost", "ghost-vm"); // names a VM port that is not in the Northbound
            createNode("node-bare", null); // names none

            cluster.withConsole(); // the mode bundle is stopped and started from the Gogo console
            master = cluster.startOvnkube("master", hypervisor, "master", "underlay", Map.of(
                    "io.ovnk.ovsdb.connection~nb.cfg", "database = OVN_Northbound\nremotes = "
                            + cluster.stack.northbound().unixRemote() + "\n",
                    "io.ovnk.ipam.cfg", "excluded.subnets = " + EXCLUDED + "\n"));
            node1 = startVmNode("node-vm1", vm1);
            node2 = startVmNode("node-vm2", vm2);
            master.ovnkube().awaitAnywhere("master: network mode underlay is active", Cluster.START);
            for (NodeAgent node : List.of(node1, node2)) {
                node.ovnkube().awaitAnywhere("node " + node.name() + ": underlay node starts \\(strategy guest-bridge",
                        Cluster.START);
                node.ovnkube().awaitAnywhere("CNI server: network mode underlay plumbs pods", Cluster.START);
                node.ovnkube().awaitAnywhere("CNI server: listening on", Cluster.START);
            }

            // an ordinary ("overlay-style") pod on node-vm1's switch, plugged straight into the hypervisor's br-int
            cluster.stack.nbctl("--timeout=60", "wait-until", "Logical_Switch", "node-vm1");
            String subnet = nodeSubnet("node-vm1");
            plainIp = hostAddress(subnet, 506); // x.x.1.250 of a /23: inside the excluded last /28
            String plainMac = "0a:58:0a:80:ff:fa";
            cluster.stack.nbctl("lsp-add", "node-vm1", "plain", "--", "lsp-set-addresses", "plain",
                    plainMac + " " + plainIp);
            plain = hypervisor.plug(cluster.stack.createPod("plain"), "plain", plainMac, plainIp + "/23",
                    hostAddress(subnet, 1), 1400);
        } catch (Exception | Error e) {
            stopCluster();
            throw e;
        }
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void podsInVmsTalkOnTheirOwnVlansAndOnlyTheirFramesAreTaggedOnTheVmLink() throws Exception {
        VmPod a = podIn(node1, "same-a");
        VmPod b = podIn(node1, "same-b");
        VmPod c = podIn(node2, "other-c");

        // each pod is a child of its node's VM port, with a tag of its own there, as its annotation says
        int tagA = assertChildPort(a, "vm1");
        int tagB = assertChildPort(b, "vm1");
        assertChildPort(c, "vm2");
        assertNotEquals(tagA, tagB, "two pods behind one VM port have different VLANs");
        String accessPort = vm1.vsctl("--bare", "--columns=name", "find", "Interface",
                "external_ids:iface-id=default_same-a").strip();
        assertEquals(Integer.toString(tagA), vm1.vsctl("get", "Port", accessPort, "tag").strip(),
                "the pod's access port " + accessPort + " on br-guest carries its VLAN");

        // two pods in one VM
        assertTrue(a.ns().ping(b.ip()), "pod to pod in one VM");
        assertEquals("got:1000000", tcp(a.ns(), b.ns(), b.ip(), 9091), "TCP between pods in one VM");
        // a pod in the other VM, an ordinary pod on the same switch, the gateway
        assertTrue(a.ns().ping(c.ip()), "vm1's pod to vm2's pod");
        assertEquals("got:1000000", tcp(c.ns(), a.ns(), a.ip(), 9092), "TCP from vm2's pod to vm1's pod");
        assertTrue(a.ns().ping(plainIp), "pod in a VM to an ordinary pod on its switch");
        assertTrue(plain.ping(a.ip()), "ordinary pod to a pod in a VM");
        assertTrue(a.ns().ping(a.gateway()), "pod to its gateway " + a.gateway());
        assertTrue(c.ns().ping(c.gateway()), "pod to its gateway " + c.gateway());

        // on the VM's link (the hypervisor's br-int counts what arrives): the pod's frames carry its VLAN, the VM's
        // own do not. Fifty pings each way: all fifty requests must be counted on their side, while the other side
        // may only see the odd frame of unrelated traffic (neighbour probes)
        String link = vm1.hostInterface();
        long taggedBefore = packetsOnLink(link, tagA);
        long untaggedBefore = packetsOnLink(link, 0);
        assertTrue(fiftyPings(a.ns(), plainIp), "the pod's fifty pings");
        long taggedAfterPod = packetsOnLink(link, tagA);
        long untaggedAfterPod = packetsOnLink(link, 0);
        assertTrue(taggedAfterPod - taggedBefore >= 50, "the pod's pings arrive with VLAN " + tagA + ": "
                + taggedBefore + " -> " + taggedAfterPod + "\n" + flows());
        assertTrue(untaggedAfterPod - untaggedBefore < 10, "the pod's pings do not arrive untagged\n" + flows());
        assertTrue(fiftyPings(vm1.asPod(), "192.168.122.12"), "the VM's own fifty pings to the other VM");
        long untaggedAfterVm = packetsOnLink(link, 0);
        long taggedAfterVm = packetsOnLink(link, tagA);
        assertTrue(untaggedAfterVm - untaggedAfterPod >= 50, "the VM's own pings arrive untagged\n" + flows());
        assertTrue(taggedAfterVm - taggedAfterPod < 10, "the VM's pings do not arrive tagged\n" + flows());
    }

    private static void createNode(String name, String vmPort) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).endMetadata();
        if (vmPort != null) {
            node.editMetadata().addToAnnotations(VM_PORT_ANNOTATION, vmPort).endMetadata();
        }
        cluster.kube.nodes().resource(node.build()).create();
    }

    private static String vmPort(String name, String mac, String ip) {
        cluster.stack.nbctl("lsp-add", VM_SWITCH, name, "--", "lsp-set-addresses", name, mac + " " + ip, "--",
                "lsp-set-port-security", name, mac + " " + ip);
        return name;
    }

    /** A VM's node agent: node role, underlay mode, guest-bridge strategy, configured in the VM's namespace. */
    private static NodeAgent startVmNode(String name, GuestVm vm) {
        return cluster.startOvnkube(name, hypervisor, "node", "underlay", Map.of(
                "io.ovnk.ovsdb.connection~ovs.cfg", "database = Open_vSwitch\nremotes = " + vm.database().unixRemote()
                        + "\n",
                "io.ovnk.underlay.node.cfg", String.join("\n", "node.name = " + name, "strategy = guest-bridge",
                        "vm.nic = " + GuestVm.NIC, "guest.bridge = " + GuestVm.BRIDGE, "host.netns = " + vm.namespace(),
                        // both datapaths are userspace: checksums are not offloaded across them
                        "pod.tx.checksum.offload = false", "")));
    }

    /** The Node's IPv4 subnet from k8s.ovn.org/node-subnets, once the master has written it. */
    private static String nodeSubnet(String node) {
        io.fabric8.kubernetes.api.model.Node annotated = cluster.kube.nodes().withName(node).waitUntilCondition(
                n -> n != null && n.getMetadata().getAnnotations() != null
                        && n.getMetadata().getAnnotations().containsKey("k8s.ovn.org/node-subnets"),
                60, TimeUnit.SECONDS);
        JsonNode subnets = JSON.readTree(annotated.getMetadata().getAnnotations().get("k8s.ovn.org/node-subnets"))
                .get("default");
        return subnets.isArray() ? subnets.get(0).asString() : subnets.asString();
    }

    /** The address {@code offset} hosts into {@code cidr} (IPv4). */
    private static String hostAddress(String cidr, int offset) {
        String[] octets = cidr.substring(0, cidr.indexOf('/')).split("\\.");
        long value = 0;
        for (String octet : octets) {
            value = value << 8 | Integer.parseInt(octet);
        }
        value += offset;
        return (value >> 24 & 255) + "." + (value >> 16 & 255) + "." + (value >> 8 & 255) + "." + (value & 255);
    }

    /** Creates the pod in the API for the node, and plumbs it by running the node's shim as kubelet does. */
    private static VmPod podIn(NodeAgent node, String name) {
        Pod api = cluster.createPod("default", name, node.name());
        io.ovnk.ovnstack.Pod ns = cluster.stack.createPod(name);
        String sandbox = sandbox();
        JsonNode result = added(add(node, sandbox, ns, api));
        JsonNode ip = result.get("ips").get(0);
        String address = ip.get("address").asString();
        return new VmPod(api, ns, sandbox, address.substring(0, address.indexOf('/')), ip.get("gateway").asString());
    }

    private static CniOutcome add(NodeAgent node, String sandbox, io.ovnk.ovnstack.Pod ns, Pod api) {
        return cluster.cni(node, "ADD", sandbox, "/var/run/netns/" + ns.namespace(), "eth0", api, null);
    }

    /** Asserts the pod's port is a child of {@code vmPort} with the tag of its annotation; returns the tag. */
    private static int assertChildPort(VmPod pod, String vmPort) {
        JsonNode vlan = JSON.readTree(annotations(pod.name()).get(VLAN_ANNOTATION));
        assertEquals(vmPort, vlan.get("parent").asString(), pod.name() + ": " + vlan);
        int tag = vlan.get("tag").asInt();
        assertTrue(tag >= 1 && tag <= 4094, pod.name() + ": tag " + tag);
        String port = "default_" + pod.name();
        assertEquals(vmPort, cluster.stack.nbctl("get", "Logical_Switch_Port", port, "parent_name").strip()
                .replace("\"", ""), port + " parent_name");
        assertEquals(Integer.toString(tag), cluster.stack.nbctl("get", "Logical_Switch_Port", port, "tag_request")
                .strip(), port + " tag_request");
        return tag;
    }

    private static Map<String, String> annotations(String pod) {
        return cluster.kube.pods().inNamespace("default").withName(pod).get().getMetadata().getAnnotations();
    }

    private static JsonNode added(CniOutcome outcome) {
        assertEquals(0, outcome.exitCode(), "ADD: " + outcome.stdout() + outcome.stderr());
        return JSON.readTree(outcome.stdout());
    }

    private static boolean fiftyPings(io.ovnk.ovnstack.Pod from, String address) {
        return from.tryExec(Duration.ofSeconds(60), "ping", "-q", "-c", "50", "-i", "0.01", "-W", "2", address)
                .exitCode() == 0;
    }

    private static String flows() {
        return hypervisor.execInDatapathNamespace("ovs-ofctl", "--names", "dump-flows", "br-int", "table=0");
    }

    /**
     * The packets that arrived on {@code port} with VLAN {@code tag} (0: untagged), from the counters of
     * ovn-controller's table 0 flows, which match a child port by in_port and dl_vlan and the VM itself by in_port
     * alone. The userspace datapath credits flows in its revalidators' rounds: one full round is waited for first.
     */
    private static long packetsOnLink(String port, int tag) {
        cluster.stack.commands().run("ovs-appctl", "-t", hypervisor.vswitchd().control().toString(), "revalidator/wait");
        long total = 0;
        Matcher counter = Pattern.compile("n_packets=(\\d+)").matcher("");
        for (String line : flows().split("\n")) {
            boolean ours = line.contains("in_port=" + port + ",") || line.contains("in_port=" + port + " ");
            boolean matches = tag == 0 ? !line.contains("dl_vlan=") : line.contains("dl_vlan=" + tag + " ");
            if (ours && matches && counter.reset(line).find()) {
                total += Long.parseLong(counter.group(1));
            }
        }
        return total;
    }

    /** 1,000,000 bytes from {@code client} to a server in {@code server}; the server's answer. */
    private static String tcp(io.ovnk.ovnstack.Pod client, io.ovnk.ovnstack.Pod server, String address, int port)
            throws Exception {
        Process process = new ProcessBuilder("ip", "netns", "exec", server.namespace(), "perl", "-MIO::Socket::INET",
                "-e", "$|=1; my $s = IO::Socket::INET->new(LocalPort => " + port + ", Listen => 5, ReuseAddr => 1) "
                        + "or die $!; print \"listening\\n\"; while (my $c = $s->accept) { my $n = 0; "
                        + "while ($n < 1000000) { my $r = sysread($c, my $b, 65536); last unless $r; $n += $r } "
                        + "print $c \"got:$n\\n\"; close $c }")
                .redirectErrorStream(true).start();
        processes.add(process);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            if (!"listening".equals(line)) {
                throw new AssertionError("TCP server did not start: " + line);
            }
            return client.tryExec(Duration.ofSeconds(60), "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + port
                    + "; head -c 1000000 /dev/zero >&3; read -t 30 line <&3; echo \"$line\"").stdout().strip();
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String sandbox() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }
}
