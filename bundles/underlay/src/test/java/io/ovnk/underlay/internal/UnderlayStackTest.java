package io.ovnk.underlay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import io.ovnk.network.spi.PodInfo;
import io.ovnk.network.spi.PortBinding;
import io.ovnk.network.spi.Readiness;
import io.ovnk.ovnstack.Chassis;
import io.ovnk.ovnstack.GuestVm;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The underlay on real daemons. The hypervisor is one chassis of the stack; two VMs are namespaces plugged into its
 * br-int as ordinary logical ports, each with its own OVS (br-guest trunking the VM's NIC); an ordinary pod sits on
 * the same switch. The master's part is played by {@link UnderlayBinding} against the real Northbound (its cache
 * monitored as the master monitors it) plus the write the master makes from the binding ({@code lsp-add SWITCH
 * PORT PARENT TAG}); the node's part is the guest-bridge {@link UnderlayPodPlumber} inside each VM.
 */
@RequiresOvn
class UnderlayStackTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String SWITCH = "hv";
    private static final String GATEWAY = "10.244.0.1";

    private static OvnStack stack;
    private static Chassis hypervisor;
    private static GuestVm vm1;
    private static GuestVm vm2;
    private static Pod plain;
    private static OvsdbClient northbound;
    private static final Map<String, String> annotations = new ConcurrentHashMap<>();
    private static UnderlayBinding master;
    private static Node node1;
    private static Node node2;
    private static int nextHost = 30;

    /** The node agent inside one VM: its guest OVS client and the plumber. */
    private record Node(String name, GuestVm vm, OvsdbClient ovs, GuestBridge bridge, Links links,
            UnderlayPodPlumber plumber) implements AutoCloseable {
        static Node start(String name, GuestVm vm) throws Exception {
            OvsdbClient ovs = OvsdbClients.connect(OvsdbClientConfig.of("Open_vSwitch", vm.database().unixRemote()));
            try {
                GuestBridge bridge = new GuestBridge(ovs);
                bridge.start().get(60, TimeUnit.SECONDS);
                NodeSettings settings = NodeSettings.of(name, "guest-bridge", GuestVm.NIC, GuestVm.BRIDGE, 1400,
                        vm.namespace(), false);
                Links links = new Links(new ProcessRunner(), vm.namespace());
                UnderlayPodPlumber plumber = new UnderlayPodPlumber(new GuestBridgeStrategy(settings, bridge, links),
                        links);
                return new Node(name, vm, ovs, bridge, links, plumber);
            } catch (Exception | Error e) {
                ovs.close();
                throw e;
            }
        }

        @Override
        public void close() {
            bridge.close();
            ovs.close();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        stack = OvnStack.builder().southbound().chassis(1).start();
        try {
            hypervisor = stack.chassis(0);
            stack.nbctl("ls-add", SWITCH, "--", "lr-add", "lr", "--", "lrp-add", "lr", "lr-hv", "0a:58:0a:f4:00:01",
                    GATEWAY + "/24", "--", "lsp-add", SWITCH, "hv-lr", "--", "lsp-set-type", "hv-lr", "router", "--",
                    "lsp-set-addresses", "hv-lr", "router", "--", "lsp-set-options", "hv-lr", "router-port=lr-hv");
            vm1 = stack.createVm(hypervisor, "vm1", vmPort("vm1", "0a:58:0a:f4:00:0a", "10.244.0.10"),
                    "0a:58:0a:f4:00:0a", "10.244.0.10/24", GATEWAY);
            vm2 = stack.createVm(hypervisor, "vm2", vmPort("vm2", "0a:58:0a:f4:00:14", "10.244.0.20"),
                    "0a:58:0a:f4:00:14", "10.244.0.20/24", GATEWAY);
            stack.nbctl("lsp-add", SWITCH, "plain", "--", "lsp-set-addresses", "plain", "0a:58:0a:f4:00:03 10.244.0.3");
            plain = hypervisor.plug(stack.createPod("plain"), "plain", "0a:58:0a:f4:00:03", "10.244.0.3/24", GATEWAY,
                    1400);

            northbound = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()));
            northbound.monitor(TableMonitor.of(ChildPorts.TABLE)).get(60, TimeUnit.SECONDS); // as the master does
            master = binding(new TagAllocator(1, 4094, Duration.ofMinutes(10), System::nanoTime));
            node1 = Node.start("node-vm1", vm1);
            node2 = Node.start("node-vm2", vm2);
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] { node1, node2, northbound, stack }) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // the rest matters more
                }
            }
        }
    }

    private static String vmPort(String name, String mac, String ip) {
        stack.nbctl("lsp-add", SWITCH, name, "--", "lsp-set-addresses", name, mac + " " + ip, "--",
                "lsp-set-port-security", name, mac + " " + ip);
        return name;
    }

    private static UnderlayBinding binding(TagAllocator tags) {
        Map<String, UnderlayBinding.VmPort> vmPorts = Map.of("node-vm1", new UnderlayBinding.VmPort("vm1", "test"),
                "node-vm2", new UnderlayBinding.VmPort("vm2", "test"), "node-ghost",
                new UnderlayBinding.VmPort("ghost-vm", "annotation " + UnderlayNames.NODE_VM_PORT));
        return new UnderlayBinding(node -> Optional.ofNullable(vmPorts.get(node)), new ChildPorts(northbound), tags);
    }

    /**
     * Binds as the master does, and keeps the pod annotations the binding asks for as the master would write them
     * (the API server's part is left out): {@link #attachment} hands them to the node, as the CNI server does.
     */
    private static PortBinding bind(UnderlayBinding binding, PodInfo pod) {
        PortBinding bound = binding.bind(pod);
        annotations.put(pod.namespace() + "/" + pod.name(), bound.podAnnotations().get(UnderlayNames.POD_VLAN));
        return bound;
    }

    /** A pod in a VM: bound by the binder, its port written as the master writes it, plumbed by the VM's node. */
    private record Plumbed(Pod pod, PodAttachment attachment, int tag, String ip) {
    }

    private static synchronized Plumbed podIn(Node node, String name) throws Exception {
        int host = nextHost++;
        String mac = String.format("0a:58:0a:f4:00:%02x", host);
        String ip = "10.244.0." + host;
        PodInfo info = new PodInfo("default", name, "uid-" + name, node.name(), Map.of(), Map.of());
        PortBinding binding = bind(master, info);
        int tag = binding.tag().getAsInt();
        writePort(name, binding.parentName().orElseThrow(), tag, mac, ip);
        Pod pod = stack.createPod(name);
        PodAttachment attachment = attachment(pod, mac, ip);
        node.plumber().plumb(attachment, TIMEOUT);
        stack.nbctl("--timeout=30", "wait-until", "Logical_Switch_Port", "default_" + name, "up=true");
        return new Plumbed(pod, attachment, tag, ip);
    }

    private static void writePort(String name, String parent, int tag, String mac, String ip) {
        String port = "default_" + name;
        stack.nbctl("lsp-add", SWITCH, port, parent, Integer.toString(tag), "--", "lsp-set-addresses", port,
                mac + " " + ip, "--", "lsp-set-port-security", port, mac + " " + ip);
    }

    private static PodAttachment attachment(Pod pod, String mac, String ip) {
        String sandbox = (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
        String vlan = annotations.get("default/" + pod.name());
        return new PodAttachment("default", pod.name(), "uid-" + pod.name(), sandbox,
                "/var/run/netns/" + pod.namespace(), "eth0", mac, List.of(ip + "/24"), List.of(GATEWAY), List.of(), 1400,
                vlan == null ? Map.of() : Map.of(UnderlayNames.POD_VLAN, vlan));
    }

    @Test
    void twoPodsInOneVmPingAndTalkTcpOnTheirOwnVlans() throws Exception {
        Plumbed a = podIn(node1, "same-a");
        Plumbed b = podIn(node1, "same-b");
        assertNotEquals(a.tag(), b.tag());
        assertEquals(Map.of("parent", "vm1", "tag", a.tag()), Map.of("parent", VlanAnnotation.parse(
                annotations.get("default/same-a")).parent(), "tag", a.tag()));

        assertTrue(a.pod().ping(b.ip()), "pod to pod in one VM");
        assertEquals("got:2000000", tcp(a.pod(), b.pod(), b.ip(), 9091), "TCP between pods in one VM");

        // the pod's access port carries its tag; its interface has what the attachment says
        String port = node1.vm().vsctl("--bare", "--columns=tag", "list", "Port", GuestBridgeStrategy.hostName(
                a.attachment().sandboxId())).strip();
        assertEquals(Integer.toString(a.tag()), port);
        String inPod = a.pod().exec("ip", "addr", "show", "dev", "eth0");
        assertTrue(inPod.contains("link/ether " + a.attachment().mac()) && inPod.contains("inet " + a.ip() + "/24")
                && inPod.contains("mtu 1400"), inPod);
        assertTrue(a.pod().exec("ip", "route").contains("default via " + GATEWAY + " dev eth0"));
        node1.plumber().check(a.attachment());
    }

    @Test
    void aPodReachesAPodInTheOtherVmAnOrdinaryPortItsVmAndTheGateway() throws Exception {
        Plumbed a = podIn(node1, "across-a");
        Plumbed c = podIn(node2, "across-c");
        assertTrue(a.pod().ping(c.ip()), "vm1's pod to vm2's pod");
        assertTrue(c.pod().ping(a.ip()), "vm2's pod to vm1's pod");
        assertTrue(a.pod().ping("10.244.0.3"), "pod in a VM to an ordinary pod on the same switch");
        assertTrue(plain.ping(c.ip()), "ordinary pod to a pod in a VM");
        assertTrue(a.pod().ping("10.244.0.10"), "pod to its own VM");
        assertTrue(a.pod().ping(GATEWAY), "pod to the router port");
        assertEquals("got:2000000", tcp(a.pod(), c.pod(), c.ip(), 9092), "TCP across VMs");
        assertEquals("got:2000000", tcp(plain, a.pod(), a.ip(), 9093), "TCP from an ordinary pod");
    }

    @Test
    void podFramesOnTheVmLinkAreTaggedAndTheVmsOwnAreNot() throws Exception {
        Plumbed a = podIn(node1, "tagged-a");
        String vmLink = vm1.hostInterface();
        // ovn-controller classifies what arrives on the VM's link in table 0: a child port by in_port and dl_vlan,
        // the VM itself by in_port and no VLAN; the counters say which frames came tagged
        // fifty pings each way: all fifty echo requests must be counted on the one side, while the other may only
        // see the odd frame of unrelated traffic (the kernels' neighbour probes, a few per entry)
        long taggedBefore = packets(vmLink, a.tag());
        long untaggedBefore = packets(vmLink, 0);
        assertTrue(fiftyPings(a.pod(), "10.244.0.3"));
        long taggedAfterPod = packets(vmLink, a.tag());
        long untaggedAfterPod = packets(vmLink, 0);
        assertTrue(taggedAfterPod - taggedBefore >= 50, "the pod's pings arrive tagged " + a.tag() + ": "
                + taggedBefore + " -> " + taggedAfterPod + "\n" + flows());
        assertTrue(untaggedAfterPod - untaggedBefore < 10, "the pod's pings do not arrive untagged\n" + flows());

        assertTrue(fiftyPings(vm1.asPod(), "10.244.0.3"));
        long untaggedAfterVm = packets(vmLink, 0);
        long taggedAfterVm = packets(vmLink, a.tag());
        assertTrue(untaggedAfterVm - untaggedAfterPod >= 50, "the VM's own pings arrive untagged\n" + flows());
        assertTrue(taggedAfterVm - taggedAfterPod < 10, "the VM's pings do not arrive tagged\n" + flows());

        // towards the VM: the reply to the pod leaves tagged (the guest bridge learned the pod's MAC on the trunk's
        // VLAN), the VM's own untagged
        String fdb = vm1.appctl("fdb/show", GuestVm.BRIDGE);
        assertTrue(Pattern.compile("(?m)^\\s*\\d+\\s+" + a.tag() + "\\s+0a:58:0a:f4:00:03\\b").matcher(fdb).find(),
                "the ordinary pod's MAC learned on VLAN " + a.tag() + ":\n" + fdb);
        assertTrue(Pattern.compile("(?m)^\\s*\\d+\\s+0\\s+0a:58:0a:f4:00:03\\b").matcher(fdb).find(),
                "and on VLAN 0 for the VM's own traffic:\n" + fdb);
    }

    @Test
    void checkDelAndGcLeaveExactlyWhatTheyShould() throws Exception {
        Plumbed kept = podIn(node2, "gc-kept");
        Plumbed stale = podIn(node2, "gc-stale");
        Plumbed deleted = podIn(node2, "del-me");
        node2.plumber().check(deleted.attachment());

        node2.plumber().unplumb(deleted.attachment().sandboxId(), deleted.attachment().netns(), "eth0");
        node2.plumber().unplumb(deleted.attachment().sandboxId(), deleted.attachment().netns(), "eth0"); // idempotent
        node2.plumber().unplumb(deleted.attachment().sandboxId(), "", "eth0");
        assertNothingLeft(node2, deleted);
        PlumbingException check = assertThrows(PlumbingException.class, () -> node2.plumber().check(deleted.attachment()));
        assertTrue(check.getMessage().contains("interface eth0 does not exist") && check.getMessage().contains(
                "no port with iface-id default_del-me"), check.getMessage());

        Set<String> valid = node2.bridge().podPorts().stream().map(GuestBridge.PortRef::sandbox)
                .filter(sandbox -> !sandbox.equals(stale.attachment().sandboxId()))
                .collect(java.util.stream.Collectors.toSet());
        assertEquals(Set.of(stale.attachment().sandboxId()), node2.plumber().collectGarbage(valid));
        assertNothingLeft(node2, stale);
        node2.plumber().check(kept.attachment());
        assertEquals(Set.of(), node2.plumber().collectGarbage(valid));
    }

    @Test
    void statusIsReadyOnlyWhenTheBridgeTrunksTheNic() throws Exception {
        assertEquals(Readiness.READY, node1.plumber().readiness());
        NodeSettings wrongNic = NodeSettings.of("node-vm1", "guest-bridge", "eth9", GuestVm.BRIDGE, 1400,
                vm1.namespace(), false);
        UnderlayPodPlumber plumber = new UnderlayPodPlumber(new GuestBridgeStrategy(wrongNic, node1.bridge(),
                node1.links()), node1.links());
        assertEquals(Readiness.notReady("the NIC eth9 is not a port of br-guest"), plumber.readiness());
        Pod pod = stack.createPod("not-ready");
        PlumbingException e = assertThrows(PlumbingException.class, () -> plumber.plumb(attachment(pod,
                "0a:58:0a:f4:00:fe", "10.244.0.254"), TIMEOUT));
        assertTrue(e.retryable() && e.getMessage().contains("not ready: the NIC eth9"), e.getMessage());
    }

    @Test
    void aHostEndNameClashFailsClearlyAndLeavesTheOtherInterfaceAlone() throws Exception {
        int host = 250;
        String mac = String.format("0a:58:0a:f4:00:%02x", host);
        PodInfo info = new PodInfo("default", "clash", "uid-clash", "node-vm1", Map.of(), Map.of());
        PortBinding binding = bind(master, info);
        writePort("clash", "vm1", binding.tag().getAsInt(), mac, "10.244.0." + host);
        Pod pod = stack.createPod("clash");
        PodAttachment attachment = attachment(pod, mac, "10.244.0." + host);
        String hostEnd = GuestBridgeStrategy.hostName(attachment.sandboxId());
        // an interface of the VM that happens to have the name (a veth, as ours would be, but not ours)
        vm1.exec("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "clash-peer");

        PlumbingException e = assertThrows(PlumbingException.class, () -> node1.plumber().plumb(attachment, TIMEOUT));
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("interface " + hostEnd + " already exists in the VM (netns "
                + vm1.namespace() + ") and is not a veth of this sandbox; it is left as it is"), e.getMessage());
        assertTrue(vm1.exec("ip", "-br", "link", "show", "dev", hostEnd).contains("clash-peer"), "it is untouched");
        assertFalse(pod.exec("ip", "-br", "link").contains("eth0"), "nothing in the pod");
        assertEquals(List.of(), node1.bridge().sandboxPorts(attachment.sandboxId(), "-"));
        vm1.exec("ip", "link", "del", hostEnd);
    }

    @Test
    void tagsAreRecoveredFromTheNorthboundReleasedWithThePortAndExhaustionNamesTheVmPort() throws Exception {
        // a master with a tiny tag range, on vm2, as if it had just started
        UnderlayBinding small = binding(new TagAllocator(3001, 3002, Duration.ofMinutes(10), System::nanoTime));
        int first = bindAndWrite(small, "tiny-1", "node-vm2");
        int second = bindAndWrite(small, "tiny-2", "node-vm2");
        assertEquals(Set.of(3001, 3002), Set.of(first, second));
        UnderlayBindException exhausted = assertThrows(UnderlayBindException.TagsExhausted.class,
                () -> bind(small, new PodInfo("default", "tiny-3", "u3", "node-vm2", Map.of(), Map.of())));
        assertEquals("VM port vm2: all 2 VLAN tags (3001-3002) are in use by its other pods; port default_tiny-3 "
                + "waits until one is released", exhausted.getMessage());
        assertFalse(annotations.containsKey("default/tiny-3"), "nothing annotated");

        // a restarted master recovers both from the Northbound: same tags, and still none for a third pod
        UnderlayBinding restarted = binding(new TagAllocator(3001, 3002, Duration.ofMinutes(10), System::nanoTime));
        assertEquals(OptionalInt.of(second), restarted.bind(new PodInfo("default", "tiny-2", "u2", "node-vm2", Map.of(),
                Map.of())).tag());
        assertThrows(UnderlayBindException.TagsExhausted.class,
                () -> restarted.bind(new PodInfo("default", "tiny-3", "u3", "node-vm2", Map.of(), Map.of())));

        // the master deletes tiny-1's port: its tag is free again
        stack.nbctl("lsp-del", "default_tiny-1");
        awaitPortGone("default_tiny-1");
        assertEquals(OptionalInt.of(first), restarted.bind(new PodInfo("default", "tiny-3", "u3", "node-vm2",
                Map.of(), Map.of())).tag());
        // vm1 is untouched by vm2's exhaustion
        assertTrue(restarted.bind(new PodInfo("default", "tiny-4", "u4", "node-vm1", Map.of(), Map.of())).tag()
                .isPresent());
    }

    @Test
    void aVmPortThatIsNotInTheNorthboundIsAClearErrorAndWritesNothing() throws Exception {
        PodInfo pod = new PodInfo("default", "orphan", "u", "node-ghost", Map.of(), Map.of());
        UnderlayBindException e = assertThrows(UnderlayBindException.VmPortNotInNorthbound.class, () -> bind(master, pod));
        assertEquals("node node-ghost: VM port \"ghost-vm\" (from annotation k8s.ovn.org/node-vm-port) is not a "
                + "Logical_Switch_Port in the Northbound", e.getMessage());
        assertFalse(annotations.containsKey("default/orphan"));
        UnderlayBindException none = assertThrows(UnderlayBindException.NoVmPort.class, () -> master.bind(
                new PodInfo("default", "lost", "u", "node-unknown", Map.of(), Map.of())));
        assertTrue(none.getMessage().startsWith("node node-unknown: no VM port: annotate the Node with "
                + "k8s.ovn.org/node-vm-port"), none.getMessage());
        // a child port named as a VM port is refused too
        stack.nbctl("lsp-add", SWITCH, "child-x", "vm1", "4000");
        UnderlayBinding nested = new UnderlayBinding(node -> Optional.of(new UnderlayBinding.VmPort("child-x", "test")),
                new ChildPorts(northbound), new TagAllocator(1, 4094, Duration.ofMinutes(1), System::nanoTime));
        awaitPort("child-x");
        UnderlayBindException child = assertThrows(UnderlayBindException.VmPortNotInNorthbound.class,
                () -> nested.bind(new PodInfo("default", "nested", "u", "n", Map.of(), Map.of())));
        assertTrue(child.getMessage().contains("is itself a child port (parent_name vm1)"), child.getMessage());
    }

    private static int bindAndWrite(UnderlayBinding binding, String name, String node) throws Exception {
        PortBinding bound = bind(binding, new PodInfo("default", name, "uid-" + name, node, Map.of(), Map.of()));
        int tag = bound.tag().getAsInt();
        stack.nbctl("lsp-add", SWITCH, "default_" + name, bound.parentName().orElseThrow(), Integer.toString(tag));
        awaitPort("default_" + name);
        return tag;
    }

    private static void awaitPort(String name) throws Exception {
        northbound.cache().await(ChildPorts.TABLE, row -> name.equals(row.string("name")), TIMEOUT)
                .get(60, TimeUnit.SECONDS);
    }

    private static void awaitPortGone(String name) throws Exception {
        northbound.cache().awaitNone(ChildPorts.TABLE, row -> name.equals(row.string("name")), TIMEOUT)
                .get(60, TimeUnit.SECONDS);
    }

    private static void assertNothingLeft(Node node, Plumbed plumbed) {
        String hostEnd = GuestBridgeStrategy.hostName(plumbed.attachment().sandboxId());
        assertFalse(node.vm().exec("ip", "-br", "link").contains(hostEnd), "veth " + hostEnd + " is left");
        assertEquals(List.of(), node.bridge().sandboxPorts(plumbed.attachment().sandboxId(), hostEnd));
        assertFalse(node.vm().vsctl("--bare", "--columns=name", "list", "Port").contains(hostEnd));
        assertFalse(plumbed.pod().exec("ip", "-br", "link").contains("eth0"), "eth0 is left in the pod");
    }

    private static boolean fiftyPings(Pod from, String address) {
        return from.tryExec(Duration.ofSeconds(60), "ping", "-q", "-c", "50", "-i", "0.01", "-W", "2", address)
                .exitCode() == 0;
    }

    private static String flows() {
        return hypervisor.execInDatapathNamespace("ovs-ofctl", "--names", "dump-flows", "br-int", "table=0");
    }

    /**
     * The packets that arrived on {@code port} with VLAN {@code tag} (0: untagged), from the counters of
     * ovn-controller's table 0 flows, which match a child port by in_port and dl_vlan and the VM itself by in_port
     * alone (at a lower priority). The userspace datapath credits flows in its revalidators' rounds: one full round
     * is waited for first.
     */
    private static long packets(String port, int tag) {
        stack.commands().run("ovs-appctl", "-t", hypervisor.vswitchd().control().toString(), "revalidator/wait");
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

    /** 2,000,000 bytes from {@code client} to a server in {@code server}; the server's answer. */
    private static String tcp(Pod client, Pod server, String address, int port) throws Exception {
        Process process = new ProcessBuilder("ip", "netns", "exec", server.namespace(), "perl", "-MIO::Socket::INET",
                "-e", "$|=1; my $s = IO::Socket::INET->new(LocalPort => " + port + ", Listen => 5, ReuseAddr => 1) "
                        + "or die $!; print \"listening\\n\"; while (my $c = $s->accept) { my $n = 0; "
                        + "while ($n < 2000000) { my $r = sysread($c, my $b, 65536); last unless $r; $n += $r } "
                        + "print $c \"got:$n\\n\"; close $c }")
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            if (!"listening".equals(line)) {
                throw new AssertionError("TCP server did not start: " + line);
            }
            return client.tryExec(Duration.ofSeconds(60), "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + port
                    + "; head -c 2000000 /dev/zero >&3; read -t 30 line <&3; echo \"$line\"").stdout().strip();
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
