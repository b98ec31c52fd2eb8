package io.ovnk.overlay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import io.ovnk.ovnstack.Pod;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pods (network namespaces of the stack) plumbed by the overlay plumber on a chassis the node set-up configured,
 * through real ovs-vswitchd and ovn-controller: traffic through OVN, check, unplumb, rollback of failed plumbs
 * and garbage collection, each leaving exactly what it should in OVS and in the namespaces.
 */
@RequiresOvn
class OverlayPodPlumberTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static NodeHarness harness;
    private static NodeHarness.Agent agent;
    private static int nextHost = 10;

    @BeforeAll
    static void start() throws Exception {
        harness = new NodeHarness();
        harness.createNode();
        harness.annotateSubnet("10.128.0.0/23");
        harness.stack.nbctl("ls-add", "node1", "--", "set", "Logical_Switch", "node1",
                "other_config:subnet=10.128.0.0/23", "--", "lsp-add", "node1", "k8s-node1", "--",
                "lsp-set-addresses", "k8s-node1", "0a:58:0a:80:00:02 10.128.0.2");
        agent = harness.agent().start().ready();
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    /** A pod of namespace "default" with the next address of the node subnet, its logical port made in NB. */
    private static synchronized PodAttachment attachment(Pod pod, boolean withLogicalPort) {
        int host = nextHost++;
        String mac = String.format("0a:58:0a:80:00:%02x", host);
        String address = "10.128.0." + host;
        if (withLogicalPort) {
            harness.stack.nbctl("lsp-add", "node1", "default_" + pod.name(), "--", "lsp-set-addresses",
                    "default_" + pod.name(), mac + " " + address);
        }
        String sandbox = (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
        return new PodAttachment("default", pod.name(), "uid-" + pod.name(), sandbox,
                "/var/run/netns/" + pod.namespace(), "eth0", mac, List.of(address + "/23"), List.of("10.128.0.1"),
                List.of(new PodAttachment.Route("172.16.1.0/24", "10.128.0.1")), 1400);
    }

    private static List<Row> portsOfSandbox(String sandbox) throws Exception {
        return harness.select(LocalOvs.INTERFACE).stream()
                .filter(row -> sandbox.equals(row.<String, String>map("external_ids").get("sandbox"))).toList();
    }

    private static boolean portNamed(String name) throws Exception {
        return harness.select(LocalOvs.PORT).stream().anyMatch(row -> name.equals(row.string("name")));
    }

    private static void assertNothingLeft(PodAttachment pod) throws Exception {
        String host = OverlayPodPlumber.hostName(pod.sandboxId());
        assertFalse(harness.hostLinkExists(host), "veth " + host + " is left");
        assertFalse(portNamed(host), "OVS port " + host + " is left");
        assertEquals(List.of(), portsOfSandbox(pod.sandboxId()));
        String links = harness.stack.commands().run("ip", "-n", pod.netns().substring("/var/run/netns/".length()),
                "-br", "link");
        assertFalse(links.contains(pod.ifName()), links);
    }

    @Test
    void plumbedPodsReachEachOtherAndTheManagementPortThroughOvn() throws Exception {
        Pod podA = harness.stack.createPod("pod-a");
        Pod podB = harness.stack.createPod("pod-b");
        PodAttachment a = attachment(podA, true);
        PodAttachment b = attachment(podB, true);

        PlumbedInterface plumbedA = agent.plumber.plumb(a, TIMEOUT);
        agent.plumber.plumb(b, TIMEOUT);

        String hostA = OverlayPodPlumber.hostName(a.sandboxId());
        assertEquals(new PlumbedInterface(hostA, plumbedA.hostMac(), "eth0", a.mac(), a.netns()), plumbedA);
        assertTrue(plumbedA.hostMac().matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}"), plumbedA.hostMac());
        List<Row> interfaces = portsOfSandbox(a.sandboxId());
        assertEquals(1, interfaces.size());
        assertEquals(hostA, interfaces.get(0).string("name"));
        Map<String, String> ids = new java.util.HashMap<>(interfaces.get(0).map("external_ids"));
        assertTrue(ids.remove("ovn-installed-ts") != null, "ovn-controller's timestamp: " + ids); // its own
        assertEquals(Map.of("iface-id", "default_pod-a", "iface-id-ver", "uid-pod-a", "attached_mac", a.mac(),
                "ip_addresses", a.addresses().get(0), "sandbox", a.sandboxId(), "ovn-installed", "true"), ids);
        Row port = harness.selectNamed(LocalOvs.PORT, hostA);
        assertEquals(Set.of(interfaces.get(0).uuid()), port.set("interfaces"));
        assertEquals(Map.of("transient", "true"), port.map("other_config"));
        assertTrue(harness.selectNamed(LocalOvs.BRIDGE, "br-int").set("ports").contains(port.uuid()));
        assertTrue(harness.hostLinkExists(hostA));
        String inPod = podA.exec("ip", "addr", "show", "dev", "eth0");
        assertTrue(inPod.contains("link/ether " + a.mac()) && inPod.contains("inet " + a.addresses().get(0))
                && inPod.contains("mtu 1400"), inPod);
        String routes = podA.exec("ip", "route");
        assertTrue(routes.contains("default via 10.128.0.1 dev eth0"), routes);
        assertTrue(routes.contains("172.16.1.0/24 via 10.128.0.1 dev eth0"), routes);
        assertTrue(podA.exec("ethtool", "-k", "eth0").contains("tx-checksumming: off"));

        // real traffic through OVN: pod to pod, and pod to the node through the management port
        String addressB = b.addresses().get(0).split("/")[0];
        assertTrue(podA.ping(addressB), "pod-a cannot reach pod-b at " + addressB);
        assertTrue(podB.ping("10.128.0.2"), "pod-b cannot reach the management port");

        agent.plumber.check(a);
        podA.exec("ip", "link", "del", "eth0"); // by hand: the veth goes, and its port's device with it
        PlumbingException broken = assertThrows(PlumbingException.class, () -> agent.plumber.check(a));
        assertTrue(broken.getMessage().contains("interface eth0 does not exist in " + a.netns()), broken.getMessage());

        agent.plumber.unplumb(a.sandboxId(), a.netns(), "eth0");
        agent.plumber.unplumb(b.sandboxId(), b.netns(), "eth0");
        assertNothingLeft(a);
        assertNothingLeft(b);
        agent.plumber.unplumb(a.sandboxId(), a.netns(), "eth0"); // idempotent: all gone already
        agent.plumber.unplumb(b.sandboxId(), "", "eth0");
        assertNothingLeft(b);
    }

    @Test
    void checkNamesWhatDiffers() throws Exception {
        Pod pod = harness.stack.createPod("pod-check");
        PodAttachment attachment = attachment(pod, true);
        agent.plumber.plumb(attachment, TIMEOUT);
        agent.plumber.check(attachment);
        PodAttachment other = new PodAttachment("default", "pod-check", attachment.uid(), attachment.sandboxId(),
                attachment.netns(), "eth0", "0a:58:0a:80:00:fe", List.of("10.128.0.254/23"), attachment.gateways(),
                attachment.routes(), 1400);
        PlumbingException e = assertThrows(PlumbingException.class, () -> agent.plumber.check(other));
        assertTrue(e.getMessage().contains("has MAC " + attachment.mac() + ", not 0a:58:0a:80:00:fe"), e.getMessage());
        assertTrue(e.getMessage().contains("lacks address 10.128.0.254/23"), e.getMessage());
        assertTrue(e.getMessage().contains("attached_mac " + attachment.mac()), e.getMessage());
        agent.plumber.unplumb(attachment.sandboxId(), attachment.netns(), "eth0");
        assertNothingLeft(attachment);
    }

    @Test
    void plumbIntoAMissingNamespaceFailsAndLeavesNothing() throws Exception {
        Pod pod = harness.stack.createPod("pod-nonetns");
        PodAttachment real = attachment(pod, true);
        PodAttachment missing = new PodAttachment("default", "pod-nonetns", real.uid(), real.sandboxId(),
                "/var/run/netns/ovnk-no-such-netns", "eth0", real.mac(), real.addresses(), real.gateways(),
                real.routes(), 1400);
        PlumbingException e = assertThrows(PlumbingException.class, () -> agent.plumber.plumb(missing, TIMEOUT));
        assertTrue(e.getMessage().contains("creating veth eth0 in /var/run/netns/ovnk-no-such-netns"), e.getMessage());
        assertTrue(e.getMessage().contains("nsenter"), e.getMessage());
        assertFalse(e.retryable());
        assertNothingLeft(real);
    }

    @Test
    void plumbThatOvnNeverInstallsTimesOutAndLeavesNothing() throws Exception {
        Pod pod = harness.stack.createPod("pod-nolsp");
        PodAttachment attachment = attachment(pod, false); // no logical port: ovn-controller never installs it
        long start = System.nanoTime();
        PlumbingException e = assertThrows(PlumbingException.class,
                () -> agent.plumber.plumb(attachment, Duration.ofMillis(1500)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("waiting for ovn-controller to install"), e.getMessage());
        assertTrue(e.retryable(), e.getMessage());
        assertTrue(tookMs < 5_000, "took " + tookMs + " ms for a 1.5 s deadline");
        assertNothingLeft(attachment);
    }

    @Test
    void aNewSandboxOfThePodReplacesThePortOfTheOldOne() throws Exception {
        Pod first = harness.stack.createPod("pod-again");
        Pod second = harness.stack.createPod("pod-again");
        PodAttachment old = attachment(first, true);
        agent.plumber.plumb(old, TIMEOUT);
        PodAttachment replacement = new PodAttachment("default", "pod-again", old.uid(),
                (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", ""), "/var/run/netns/" + second.namespace(),
                "eth0", old.mac(), old.addresses(), old.gateways(), old.routes(), 1400);
        agent.plumber.plumb(replacement, TIMEOUT);
        List<Row> withIfaceId = harness.select(LocalOvs.INTERFACE).stream()
                .filter(row -> "default_pod-again".equals(row.<String, String>map("external_ids").get("iface-id"))).toList();
        assertEquals(1, withIfaceId.size());
        assertEquals(replacement.sandboxId(), withIfaceId.get(0).<String, String>map("external_ids").get("sandbox"));
        agent.plumber.check(replacement);
        agent.plumber.unplumb(old.sandboxId(), old.netns(), "eth0"); // the runtime's DEL of the old sandbox: its veth
        agent.plumber.unplumb(replacement.sandboxId(), replacement.netns(), "eth0");
        assertNothingLeft(old);
        assertNothingLeft(replacement);
    }

    @Test
    void garbageCollectionRemovesOnlyInvalidSandboxes() throws Exception {
        PodAttachment keep = attachment(harness.stack.createPod("pod-keep"), true);
        PodAttachment drop = attachment(harness.stack.createPod("pod-drop"), true);
        agent.plumber.plumb(keep, TIMEOUT);
        agent.plumber.plumb(drop, TIMEOUT);

        // every sandbox in OVS is valid but one (other tests of this class may have left theirs if they failed)
        Set<String> valid = new java.util.HashSet<>();
        harness.select(LocalOvs.INTERFACE).forEach(row -> {
            String sandbox = row.<String, String>map("external_ids").get("sandbox");
            if (sandbox != null && !sandbox.equals(drop.sandboxId())) {
                valid.add(sandbox);
            }
        });
        assertTrue(valid.contains(keep.sandboxId()));
        assertEquals(Set.of(drop.sandboxId()), agent.plumber.collectGarbage(valid));
        assertNothingLeft(drop);
        agent.plumber.check(keep);
        assertTrue(portNamed("ovn-k8s-mp0"), "the management port is not a pod's: GC must leave it");
        assertEquals(Set.of(), agent.plumber.collectGarbage(valid));

        agent.plumber.unplumb(keep.sandboxId(), keep.netns(), "eth0");
        assertNothingLeft(keep);
    }

    @Test
    void plumbLatency() throws Exception {
        int count = 50;
        Pod pod = harness.stack.createPod("pod-latency");
        List<PodAttachment> pods = new ArrayList<>();
        StringBuilder nb = new StringBuilder();
        List<String> nbctl = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int host = 100 + i;
            String name = "lat-" + i;
            String mac = String.format("0a:58:0a:80:00:%02x", host);
            nbctl.addAll(List.of("--", "lsp-add", "node1", "default_" + name, "--", "lsp-set-addresses",
                    "default_" + name, mac + " 10.128.0." + host));
            pods.add(new PodAttachment("default", name, "uid-" + name,
                    (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", ""), "/var/run/netns/" + pod.namespace(),
                    "eth0", mac, List.of("10.128.0." + host + "/23"), List.of("10.128.0.1"), List.of(), 1400));
        }
        harness.stack.nbctl(nbctl.subList(1, nbctl.size()).toArray(String[]::new));
        List<Long> plumbMicros = new ArrayList<>();
        List<Long> unplumbMicros = new ArrayList<>();
        for (PodAttachment attachment : pods) {
            long start = System.nanoTime();
            agent.plumber.plumb(attachment, TIMEOUT);
            long plumbed = System.nanoTime();
            agent.plumber.unplumb(attachment.sandboxId(), attachment.netns(), "eth0");
            plumbMicros.add((plumbed - start) / 1000);
            unplumbMicros.add((System.nanoTime() - plumbed) / 1000);
        }
        Collections.sort(plumbMicros);
        Collections.sort(unplumbMicros);
        long p50 = plumbMicros.get(count / 2) / 1000;
        System.out.printf("overlay plumb latency, %d sequential plumbs (veth, OVS port, ovn-installed): p50 %d ms, "
                + "p90 %d ms, max %d ms; unplumb p50 %d ms%n", count, p50, plumbMicros.get(count * 9 / 10) / 1000,
                plumbMicros.get(count - 1) / 1000, unplumbMicros.get(count / 2) / 1000);
        assertTrue(p50 < 250, "plumb p50 " + p50 + " ms");
        for (PodAttachment attachment : pods) {
            assertEquals(List.of(), portsOfSandbox(attachment.sandboxId()));
        }
    }
}
