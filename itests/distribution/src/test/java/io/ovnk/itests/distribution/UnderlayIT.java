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
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
        long start = System.nanoTime();
        cluster = new Cluster(dir, 1, true);
        try {
            long stackUp = System.nanoTime();
            hypervisor = cluster.stack.chassis(0);
            cluster.stack.nbctl("ls-add", VM_SWITCH);
            vm1 = cluster.stack.createVm(hypervisor, "vm1", vmPort("vm1", "0a:58:c0:a8:7a:0b", "192.168.122.11"),
                    "0a:58:c0:a8:7a:0b", "192.168.122.11/24", VM_GATEWAY);
            vm2 = cluster.stack.createVm(hypervisor, "vm2", vmPort("vm2", "0a:58:c0:a8:7a:0c", "192.168.122.12"),
                    "0a:58:c0:a8:7a:0c", "192.168.122.12/24", VM_GATEWAY);
            long vmsUp = System.nanoTime();
            createNode("node-vm1", "vm1");
            createNode("node-vm2", "vm2");
            createNode("node-ghost", "ghost-vm"); // names a VM port that is not in the Northbound
            createNode("node-bare", null); // names none

            cluster.withConsole(); // the mode bundle is stopped and started from the Gogo console
            // the three processes start side by side
            master = cluster.launchOvnkube("master", hypervisor, "master", "underlay", Map.of(
                    "io.ovnk.ovsdb.connection~nb.cfg", "database = OVN_Northbound\nremotes = "
                            + cluster.stack.northbound().unixRemote() + "\n",
                    "io.ovnk.ipam.cfg", "excluded.subnets = " + EXCLUDED + "\n"));
            node1 = startVmNode("node-vm1", vm1);
            node2 = startVmNode("node-vm2", vm2);
            master.ovnkube().awaitAnywhere("master: network mode underlay is active", Cluster.START);
            long masterUp = System.nanoTime();
            for (NodeAgent node : List.of(node1, node2)) {
                node.ovnkube().awaitAnywhere("node " + node.name() + ": underlay node starts \\(strategy guest-bridge",
                        Cluster.START);
                node.ovnkube().awaitAnywhere("CNI server: listening on", Cluster.START);
                // last: later waits for this line (after an update or a restart) must not find the start's
                node.ovnkube().awaitAnywhere("CNI server: network mode underlay plumbs pods", Cluster.START);
            }

            long nodesUp = System.nanoTime();
            // an ordinary ("overlay-style") pod on node-vm1's switch, plugged straight into the hypervisor's br-int
            cluster.stack.nbctl("--timeout=60", "wait-until", "Logical_Switch", "node-vm1");
            String subnet = nodeSubnet("node-vm1");
            plainIp = hostAddress(subnet, 506); // x.x.1.250 of a /23: inside the excluded last /28
            String plainMac = "0a:58:0a:80:ff:fa";
            cluster.stack.nbctl("lsp-add", "node-vm1", "plain", "--", "lsp-set-addresses", "plain",
                    plainMac + " " + plainIp);
            plain = hypervisor.plug(cluster.stack.createPod("plain"), "plain", plainMac, plainIp + "/23",
                    hostAddress(subnet, 1), 1400);
            System.out.printf("underlay cluster set-up: stack %d ms, VMs %d ms, master active %d ms, node agents ready %d ms later, "
                    + "ordinary pod %d ms%n", (stackUp - start) / 1_000_000, (vmsUp - stackUp) / 1_000_000,
                    (masterUp - vmsUp) / 1_000_000, (nodesUp - masterUp) / 1_000_000,
                    (System.nanoTime() - nodesUp) / 1_000_000);
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

    @Test
    @Order(2)
    void aNewJarOfTheModeBundleInDeployUpdatesItInPlaceWhilePodsTalkAndItsRemovalRestoresTheDistributionsJar()
            throws Exception {
        VmPod a = podIn(node1, "hot-a");
        VmPod c = podIn(node2, "hot-c");
        Map<String, String> before = podNetworkAnnotations(a, c);
        Map<String, String> portsBefore = childPortColumns(a, c);
        String hotfix = bundleVersion() + "-hotfix1";
        Path jar = dir.resolve("io.ovnk.underlay.jar");
        Files.write(jar, TestBundles.rebuilt(Files.readAllBytes(UNDERLAY_JAR), hotfix, null));

        try (RunningPing ping = RunningPing.start(a.ns(), c.ip())) {
            ping.awaitReplies(10, LIVE);
            // the master's binder and vm1's plumber, both updated while the ping runs
            for (NodeAgent process : List.of(master, node1)) {
                Path deployed = process.ovnkube().home().resolve("deploy/io.ovnk.underlay.jar");
                Files.copy(jar, deployed.resolveSibling(".io.ovnk.underlay.jar.part"));
                Files.move(deployed.resolveSibling(".io.ovnk.underlay.jar.part"), deployed,
                        StandardCopyOption.ATOMIC_MOVE);
            }
            String updated = "deploy/io.ovnk.underlay.jar: updated feature bundle io.ovnk.underlay in place \\("
                    + Pattern.quote(bundleVersion()) + " -> " + Pattern.quote(hotfix) + "\\), active";
            master.ovnkube().awaitEach(LIVE, updated, "master: network mode underlay is active");
            node1.ovnkube().awaitEach(LIVE, updated, "CNI server: network mode underlay plumbs pods");
            // the updated bundle binds and plumbs a new pod, which reaches the running one
            VmPod fresh = podIn(node1, "hot-new");
            assertChildPort(fresh, "vm1");
            assertTrue(fresh.ns().ping(a.ip()), "a pod plumbed by the updated bundle reaches one plumbed before");
            ping.awaitReplies(20, LIVE);
            Loss loss = ping.stop();
            System.out.printf("underlay hot update (master and node agent): %d of %d pings lost (100 ms interval)%n",
                    loss.lost(), loss.sent());
            assertTrue(loss.lost() <= 3, "a running pod's traffic continues across the update: " + loss);
        }
        // one underlay bundle in each process, the new one: an update, not a second install
        for (NodeAgent process : List.of(master, node1)) {
            List<String> bundles = underlayBundles(process);
            assertEquals(1, bundles.size(), process.name() + ": " + bundles);
            assertTrue(bundles.get(0).contains("(" + hotfix + ")"), process.name() + ": " + bundles);
        }
        assertEquals(before, podNetworkAnnotations(a, c), "no address or tag changed");
        assertEquals(portsBefore, childPortColumns(a, c), "the ports in the Northbound are as they were");

        // removing the jar puts the distribution's jar back, again without touching running pods
        for (NodeAgent process : List.of(master, node1)) {
            Files.delete(process.ovnkube().home().resolve("deploy/io.ovnk.underlay.jar"));
        }
        String restored = "deploy/io.ovnk.underlay.jar: removed; feature bundle io.ovnk.underlay is back to the "
                + "distribution's jar \\(" + Pattern.quote(hotfix) + " -> " + Pattern.quote(bundleVersion()) + "\\), active";
        master.ovnkube().awaitEach(LIVE, restored, "master: network mode underlay is active");
        node1.ovnkube().awaitEach(LIVE, restored, "CNI server: network mode underlay plumbs pods");
        for (NodeAgent process : List.of(master, node1)) {
            List<String> bundles = underlayBundles(process);
            assertEquals(1, bundles.size(), process.name() + ": " + bundles);
            assertTrue(bundles.get(0).contains("(" + bundleVersion() + ")"), process.name() + ": " + bundles);
        }
        assertTrue(a.ns().ping(c.ip()), "traffic after the removal");
        assertEquals(before, podNetworkAnnotations(a, c), "no address or tag changed");
        assertEquals(portsBefore, childPortColumns(a, c), "the ports in the Northbound are as they were");
    }

    @Test
    @Order(3)
    void stoppingTheModeBundlePausesNewPodsKeepsRunningOnesAndStartingItResumes() throws Exception {
        VmPod steady = podIn(node1, "steady");
        Map<String, String> steadyBefore = podNetworkAnnotations(steady);
        Map<String, String> portBefore = childPortColumns(steady);
        try (RunningPing ping = RunningPing.start(steady.ns(), plainIp)) {
            ping.awaitReplies(5, LIVE);
            String masterBundle = bundleId(master);
            String nodeBundle = bundleId(node1);
            gogo(master, "stop " + masterBundle);
            gogo(node1, "stop " + nodeBundle);
            master.ovnkube().await("master: network mode underlay is gone", LIVE);
            node1.ovnkube().await("CNI server: network mode underlay is gone", LIVE);

            CniOutcome status = cluster.exec(node1, Map.of("CNI_COMMAND", "STATUS", "CNI_PATH",
                    node1.cniBin().toString()), cluster.pluginConfig(node1, null));
            assertEquals(50, code(status), "STATUS without the mode bundle is not ready: " + status.stdout());
            Pod api = cluster.createPod("default", "newcomer", "node-vm1");
            io.ovnk.ovnstack.Pod ns = cluster.stack.createPod("newcomer");
            String sandbox = sandbox();
            CniOutcome refused = add(node1, sandbox, ns, api);
            assertEquals(11, code(refused), "ADD without the mode bundle: try again later: " + refused.stdout());
            // the master binds no new pod meanwhile, and leaves the running one as it is
            master.ovnkube().await("default/newcomer failed \\(attempt 3\\).*no network mode bundle", LIVE);
            assertEquals("", cluster.stack.nbctl("--bare", "--columns=name", "find", "Logical_Switch_Port",
                    "name=default_newcomer").strip(), "no port for a pod created while no mode runs");
            assertFalse(annotations("newcomer").containsKey("k8s.ovn.org/pod-networks"), "no address either");
            assertEquals(steadyBefore, podNetworkAnnotations(steady));
            assertEquals(portBefore, childPortColumns(steady));

            gogo(master, "start " + masterBundle);
            gogo(node1, "start " + nodeBundle);
            master.ovnkube().await("master: network mode underlay is active", LIVE);
            node1.ovnkube().await("CNI server: network mode underlay plumbs pods", LIVE);
            JsonNode result = added(addAsKubeletRetries(node1, sandbox, ns, api));
            String address = result.get("ips").get(0).get("address").asString();
            awaitBoundOnTheHypervisor("newcomer");
            VmPod newcomer = new VmPod(api, ns, sandbox, address.substring(0, address.indexOf('/')), "");
            assertChildPort(newcomer, "vm1");
            long toNew = firstReply(newcomer.ns(), steady.ip());
            long toOld = firstReply(steady.ns(), newcomer.ip());
            System.out.printf("underlay mode restart: first reply new -> running pod after %d ms, running -> new after "
                    + "%d ms%n", toNew, toOld);
            if (toNew < 0 || toOld < 0) {
                System.out.println("newcomer -> plain " + firstReply(newcomer.ns(), plainIp) + " ms, -> gateway "
                        + firstReply(newcomer.ns(), steady.gateway()) + " ms; steady -> gateway "
                        + firstReply(steady.ns(), steady.gateway()) + " ms; plain -> newcomer "
                        + firstReply(plain, newcomer.ip()) + " ms; plain -> steady " + firstReply(plain, steady.ip())
                        + " ms");
                System.out.println("newcomer: " + newcomer.ns().exec("ip", "-br", "addr") + newcomer.ns().exec("ip",
                        "neigh") + "\nsteady: " + steady.ns().exec("ip", "-br", "addr") + steady.ns().exec("ip",
                        "neigh") + "\n" + vm1.appctl("fdb/show", GuestVm.BRIDGE));
                System.out.println(diagnosis());
                for (NodeAgent process : List.of(master, node1)) {
                    process.ovnkube().output().stream().filter(l -> l.contains("newcomer") || l.contains("steady"))
                            .forEach(l -> System.out.println(process.name() + ": " + l));
                }
            }
            assertTrue(toNew >= 0, "the pod plumbed after the restart reaches the running one");
            assertTrue(toOld >= 0, "and the running one reaches it");
            ping.awaitReplies(5, LIVE);
            Loss loss = ping.stop();
            System.out.printf("underlay mode bundle stopped and started: %d of %d pings lost (100 ms interval)%n",
                    loss.lost(), loss.sent());
            assertTrue(loss.lost() <= 3, "the running pod's traffic went on: " + loss);
        }
        assertEquals(steadyBefore, podNetworkAnnotations(steady), "the running pod kept its address and tag");
        assertEquals(portBefore, childPortColumns(steady));
    }

    @Test
    @Order(4)
    void aPodOnANodeWithoutAVmPortInTheNorthboundGetsAnEventAndNothingElseUntilThePortAppears() throws Exception {
        cluster.createPod("default", "ghost-pod", "node-ghost");
        cluster.createPod("default", "bare-pod", "node-bare");
        String ghost = "node node-ghost: VM port \"ghost-vm\" (from annotation k8s.ovn.org/node-vm-port) is not a "
                + "Logical_Switch_Port in the Northbound";
        String bare = "node node-bare: no VM port: annotate the Node with k8s.ovn.org/node-vm-port=<the VM's logical "
                + "switch port> or map it in io.ovnk.underlay node.vm.ports";
        master.ovnkube().awaitEach(LIVE, "default/ghost-pod failed \\(attempt 3\\).*" + Pattern.quote(ghost),
                "default/bare-pod failed \\(attempt 3\\).*" + Pattern.quote(bare));
        assertEquals(List.of("pod default/ghost-pod: underlay mode: " + ghost), warnings("ghost-pod"));
        assertEquals(List.of("pod default/bare-pod: underlay mode: " + bare), warnings("bare-pod"));
        for (String pod : List.of("ghost-pod", "bare-pod")) {
            assertEquals("", cluster.stack.nbctl("--bare", "--columns=name", "find", "Logical_Switch_Port",
                    "name=default_" + pod).strip(), "no port for " + pod);
            Map<String, String> annotations = annotations(pod);
            assertTrue(annotations == null || !annotations.containsKey("k8s.ovn.org/pod-networks"),
                    "no address for " + pod + ": " + annotations);
        }
        // the pod waits, and is bound as soon as the VM's port exists
        vmPort("ghost-vm", "0a:58:c0:a8:7a:0d", "192.168.122.13");
        Pod bound = cluster.kube.pods().inNamespace("default").withName("ghost-pod").waitUntilCondition(
                p -> p.getMetadata().getAnnotations() != null
                        && p.getMetadata().getAnnotations().containsKey(VLAN_ANNOTATION), 60, TimeUnit.SECONDS);
        assertEquals("ghost-vm", JSON.readTree(bound.getMetadata().getAnnotations().get(VLAN_ANNOTATION)).get("parent")
                .asString());
        cluster.stack.nbctl("--timeout=60", "wait-until", "Logical_Switch_Port", "default_ghost-pod",
                "parent_name=ghost-vm");
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

    /**
     * A VM's node agent (started, not waited for): node role, underlay mode, guest-bridge strategy, configured in the
     * VM's namespace.
     */
    private static NodeAgent startVmNode(String name, GuestVm vm) {
        return cluster.launchOvnkube(name, hypervisor, "node", "underlay", Map.of(
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
        awaitBoundOnTheHypervisor(name);
        JsonNode ip = result.get("ips").get(0);
        String address = ip.get("address").asString();
        return new VmPod(api, ns, sandbox, address.substring(0, address.indexOf('/')), ip.get("gateway").asString());
    }

    /**
     * The hypervisor's ovn-controller has claimed the pod's child port (Port_Binding up, which northd copies to the
     * logical switch port): the VM's node, which has no view of the hypervisor, returns from ADD before that.
     */
    private static void awaitBoundOnTheHypervisor(String pod) {
        cluster.stack.nbctl("--timeout=30", "wait-until", "Logical_Switch_Port", "default_" + pod, "up=true");
    }

    /**
     * ADD, repeated while the answer is 11 ("try again later") as kubelet repeats it, with its back-off: a node whose
     * mode bundle has just started says 11 until the VM's Open_vSwitch connection, which SCR closed with its last
     * user, is connected and monitored again.
     */
    private static CniOutcome addAsKubeletRetries(NodeAgent node, String sandbox, io.ovnk.ovnstack.Pod ns, Pod api)
            throws InterruptedException {
        long deadline = System.nanoTime() + LIVE.toNanos();
        long backoffMillis = 100;
        while (true) {
            CniOutcome outcome = add(node, sandbox, ns, api);
            if (outcome.exitCode() == 0 || code(outcome) != 11 || System.nanoTime() > deadline) {
                return outcome;
            }
            System.out.println("ADD answered 11, repeated as kubelet would: " + outcome.stdout().strip());
            TimeUnit.MILLISECONDS.sleep(backoffMillis); // kubelet's back-off between attempts, not a synchronisation
            backoffMillis = Math.min(backoffMillis * 2, 1600);
        }
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
        // the address the pod was plumbed with is the one its port admits (a second allocation would differ)
        assertTrue(cluster.stack.nbctl("get", "Logical_Switch_Port", port, "port_security").contains(" " + pod.ip()
                + "\""), port + " port_security admits " + pod.ip());
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

    /** Pings until the first reply, for at most 10 s: the milliseconds it took, or -1. */
    private static long firstReply(io.ovnk.ovnstack.Pod from, String to) {
        long start = System.nanoTime();
        boolean answered = from.tryExec(Duration.ofSeconds(20), "ping", "-c", "1", "-i", "0.1", "-w", "10", to)
                .exitCode() == 0;
        return answered ? (System.nanoTime() - start) / 1_000_000 : -1;
    }

    /** What a failed reachability assertion prints: the child ports, their bindings, the guest bridges. */
    private static String diagnosis() {
        return cluster.stack.nbctl("--columns=name,parent_name,tag_request,tag,addresses,up", "find",
                "Logical_Switch_Port", "parent_name!=[]") + "\n" + cluster.stack.sbctl("--columns=logical_port,"
                + "parent_port,tag,chassis,up", "list", "Port_Binding") + "\n" + vm1.vsctl("show") + "\n" + flows();
    }

    /** The version of the distribution's underlay bundle (0.1.0.SNAPSHOT for 0.1.0-SNAPSHOT). */
    private static String bundleVersion() throws IOException {
        return TestBundles.version(Files.readAllBytes(UNDERLAY_JAR));
    }

    /** What the master wrote for each pod: its addresses and its VLAN. */
    private static Map<String, String> podNetworkAnnotations(VmPod... pods) {
        Map<String, String> values = new java.util.TreeMap<>();
        for (VmPod pod : pods) {
            Map<String, String> annotations = annotations(pod.name());
            values.put(pod.name() + " pod-networks", annotations.get("k8s.ovn.org/pod-networks"));
            values.put(pod.name() + " " + VLAN_ANNOTATION, annotations.get(VLAN_ANNOTATION));
        }
        return values;
    }

    /** The pods' ports in the Northbound: uuid, parent, requested and assigned tag, addresses. */
    private static Map<String, String> childPortColumns(VmPod... pods) {
        Map<String, String> values = new java.util.TreeMap<>();
        for (VmPod pod : pods) {
            values.put(pod.name(), cluster.stack.nbctl("--bare", "--columns=_uuid,parent_name,tag_request,tag,addresses",
                    "find", "Logical_Switch_Port", "name=default_" + pod.name()).strip());
        }
        return values;
    }

    /** The Warning Events about a pod, their messages. */
    private static List<String> warnings(String pod) {
        return cluster.kube.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && "Warning".equals(e.getType()))
                .map(io.fabric8.kubernetes.api.model.Event::getMessage).toList();
    }

    /** The lines of Gogo's {@code lb -s io.ovnk.underlay} naming an underlay bundle. */
    private static List<String> underlayBundles(NodeAgent process) throws Exception {
        return gogoLines(process, "lb -s io.ovnk.underlay").stream()
                .filter(l -> l.matches(".*\\|\\s*io\\.ovnk\\.underlay \\(.*")).toList();
    }

    private static String bundleId(NodeAgent process) throws Exception {
        List<String> lines = underlayBundles(process);
        assertEquals(1, lines.size(), lines.toString());
        Matcher id = Pattern.compile("^(?:g! )*\\s*(\\d+)\\|Active").matcher(lines.get(0));
        assertTrue(id.find(), lines.get(0));
        return id.group(1);
    }

    /** Runs a Gogo command and returns what the console printed until a marker echoed after it. */
    private static List<String> gogoLines(NodeAgent process, String command) throws Exception {
        String marker = "end-of-" + UUID.randomUUID();
        int start = process.ovnkube().output().size();
        gogo(process, command);
        gogo(process, "echo " + marker);
        process.ovnkube().await("^(g! )*" + marker + "$", LIVE);
        List<String> output = process.ovnkube().output();
        return output.subList(start, output.size());
    }

    private static void gogo(NodeAgent process, String command) throws IOException {
        process.ovnkube().stdin().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        process.ovnkube().stdin().flush();
    }

    private static int code(CniOutcome outcome) {
        assertEquals(1, outcome.exitCode(), "the shim fails: " + outcome.stdout());
        return JSON.readTree(outcome.stdout()).get("code").asInt();
    }

    /** What a ping lost between its first and its last answered request. */
    private record Loss(int sent, int lost) {
    }

    /**
     * A ping (100 ms interval) running in a pod; its output is read as it comes, so that the test waits for
     * answers, not for time. Losses are the requests between the first and the last answered one without an answer.
     */
    private static final class RunningPing implements AutoCloseable {
        private final Process process;
        private final TreeSet<Integer> answered = new TreeSet<>();

        private RunningPing(Process process) {
            this.process = process;
        }

        static RunningPing start(io.ovnk.ovnstack.Pod from, String address) throws IOException {
            Process process = new ProcessBuilder("ip", "netns", "exec", from.namespace(), "ping", "-n", "-i", "0.1",
                    "-W", "1", address).redirectErrorStream(true).start();
            processes.add(process);
            RunningPing ping = new RunningPing(process);
            Thread reader = new Thread(ping::read, "ping-" + address);
            reader.setDaemon(true);
            reader.start();
            return ping;
        }

        private void read() {
            Pattern reply = Pattern.compile("icmp_seq=(\\d+) ttl=");
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null;) {
                    Matcher matcher = reply.matcher(line);
                    if (matcher.find()) {
                        synchronized (this) {
                            answered.add(Integer.parseInt(matcher.group(1)));
                            notifyAll();
                        }
                    }
                }
            } catch (IOException e) {
                // the ping was stopped
            }
        }

        /** Waits until {@code count} more requests have been answered. */
        synchronized void awaitReplies(int count, Duration timeout) throws InterruptedException {
            int target = answered.size() + count;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (answered.size() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive()) {
                    throw new AssertionError("the ping got " + answered.size() + " of " + target + " answers so far: "
                            + answered);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        /** Stops the ping (by its PID) and returns what it lost. */
        Loss stop() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            synchronized (this) {
                int first = answered.first();
                int last = answered.last();
                int sent = last - first + 1;
                return new Loss(sent, sent - answered.size());
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
