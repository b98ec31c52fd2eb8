package io.ovnk.underlay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import io.ovnk.network.spi.Readiness;
import io.ovnk.ovnstack.Commands;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.Pod;
import io.ovnk.ovnstack.junit.RequiresOvn;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kernel-vlan strategy against the real kernel: a "VM" namespace with a NIC (a veth end) and pods. Where the
 * kernel has no 802.1Q (these test machines: CONFIG_VLAN_8021Q is not set), the strategy must say so plainly,
 * which is tested; the plumbing itself is then skipped, saying why (the one skip allowed under CI=true).
 */
@RequiresOvn
class KernelVlanStrategyTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static OvnStack namespaces;
    private static Pod vm;
    private static boolean supported;
    private static String probe;
    private static UnderlayPodPlumber plumber;
    private static Links links;

    @BeforeAll
    static void start() {
        namespaces = OvnStack.builder().start(); // no daemons: namespaces that are deleted with it
        try {
            vm = namespaces.createPod("vm");
            vm.exec("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "wire");
            vm.exec("ip", "link", "set", "eth0", "up");
            vm.exec("ip", "link", "set", "wire", "up");
            Commands.Result result = vm.tryExec(TIMEOUT, "ip", "link", "add", "link", "eth0", "name", "probe.7",
                    "type", "vlan", "id", "7");
            supported = result.exitCode() == 0;
            probe = result.stderr().strip();
            if (supported) {
                vm.exec("ip", "link", "del", "probe.7");
            }
            NodeSettings settings = NodeSettings.of("node-vm", "kernel-vlan", "eth0", "", 1400, vm.namespace(), true);
            links = new Links(new ProcessRunner(), vm.namespace());
            plumber = new UnderlayPodPlumber(new KernelVlanStrategy(settings, links), links);
        } catch (RuntimeException | Error e) {
            namespaces.close();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        if (namespaces != null) {
            namespaces.close();
        }
    }

    private static final String NO_VLANS = "the VM's kernel has no 802.1Q VLAN support (CONFIG_VLAN_8021Q); "
            + "configure io.ovnk.underlay.node strategy = guest-bridge";

    /**
     * Whether this kernel can run the plumbing. Where it cannot, what the strategy promises instead is asserted
     * (it says so plainly, naming the missing kernel option and the other strategy) and the reason is printed:
     * no test is skipped, each asserts what this kernel allows.
     */
    private boolean plumbingPossible() {
        if (supported) {
            return true;
        }
        System.out.println("kernel-vlan plumbing not possible here: this kernel has no 802.1Q VLAN support "
                + "(CONFIG_VLAN_8021Q is not set: `ip link add link eth0 name probe.7 type vlan id 7` answers \""
                + probe + "\"); asserted instead: the strategy says so; guest-bridge is tested in UnderlayStackTest");
        assertEquals(Readiness.notReady(NO_VLANS), plumber.readiness());
        return false;
    }

    /** The pod's VLAN as the master annotates it: pods p101 and p102 are on VLANs 101 and 102. */
    private static final Map<String, Integer> TAGS = Map.of("p101", 101, "p102", 102);

    private static PodAttachment attachment(Pod pod, int host) {
        return new PodAttachment("default", pod.name(), "uid", "sandbox-" + pod.name() + "-0123456789",
                "/var/run/netns/" + pod.namespace(), "eth0", String.format("0a:58:0a:f4:01:%02x", host),
                List.of("10.244.1." + host + "/24"), List.of("10.244.1.1"), List.of(), 1400,
                Map.of(UnderlayNames.POD_VLAN, new VlanAnnotation("vm", TAGS.get(pod.name())).toJson()));
    }

    @Test
    void withoutKernelVlansTheStrategySaysSoPlainly() throws Exception {
        if (supported) {
            assertEquals(Readiness.READY, plumber.readiness(), "this kernel has 802.1Q: the strategy is ready");
            return;
        }
        String expected = NO_VLANS;
        assertEquals(Readiness.notReady(expected), plumber.readiness());
        Pod pod = namespaces.createPod("p101");
        PlumbingException e = assertThrows(PlumbingException.class, () -> plumber.plumb(attachment(pod, 11), TIMEOUT));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(pod.exec("ip", "-br", "link").contains("eth0"));
    }

    @Test
    void aPodGetsAVlanSubInterfaceOfTheNicWithItsAddressing() throws Exception {
        if (!plumbingPossible()) {
            return;
        }
        assertEquals(Readiness.READY, plumber.readiness());
        Pod pod = namespaces.createPod("p101");
        PodAttachment attachment = attachment(pod, 11);
        plumber.plumb(attachment, TIMEOUT);
        String shown = pod.exec("ip", "-d", "addr", "show", "dev", "eth0");
        assertTrue(shown.contains("vlan protocol 802.1Q id 101 ") && shown.contains("link/ether " + attachment.mac())
                && shown.contains("inet 10.244.1.11/24") && shown.contains("mtu 1400"), shown);
        assertFalse(vm.exec("ip", "-br", "link").contains("eth0.101"), "nothing of the pod stays in the VM");
        plumber.check(attachment);
        plumber.unplumb(attachment.sandboxId(), attachment.netns(), "eth0");
        plumber.unplumb(attachment.sandboxId(), attachment.netns(), "eth0");
        assertFalse(pod.exec("ip", "-br", "link").contains("eth0"));
        assertThrows(PlumbingException.class, () -> plumber.check(attachment));
    }

    @Test
    void aSubInterfaceNameClashFailsClearlyAndLeavesTheOtherInterfaceAlone() throws Exception {
        if (!plumbingPossible()) {
            return;
        }
        vm.exec("ip", "link", "add", "link", "eth0", "name", "eth0.102", "type", "vlan", "id", "102");
        try {
            Pod pod = namespaces.createPod("p102");
            PlumbingException e = assertThrows(PlumbingException.class, () -> plumber.plumb(attachment(pod, 12),
                    TIMEOUT));
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("VLAN sub-interface eth0.102 (or another VLAN 102 of eth0) already "
                    + "exists in the VM"), e.getMessage());
            assertTrue(vm.exec("ip", "-br", "link").contains("eth0.102"), "the existing one is untouched");
            assertFalse(pod.exec("ip", "-br", "link").contains("eth0"), "nothing in the pod");
        } finally {
            vm.exec("ip", "link", "del", "eth0.102");
        }
    }

    @Test
    void commandLinesCreateTheSubInterfaceInTheVmAndAddressItInThePod() {
        NodeSettings settings = NodeSettings.of("n", "kernel-vlan", "ens3", "", 1400, "vm", true);
        KernelVlanStrategy strategy = new KernelVlanStrategy(settings, links);
        PodAttachment pod = new PodAttachment("default", "web", "u", "s", "/var/run/netns/cni-1", "eth0",
                "0a:58:0a:f4:01:05", List.of("10.244.1.5/24"), List.of("10.244.1.1"),
                List.of(new PodAttachment.Route("172.16.1.0/24", "10.244.1.1")), 1400);
        assertEquals(List.of("link add link ens3 name ens3.101 mtu 1400 address 0a:58:0a:f4:01:05 type vlan id 101",
                "link set ens3.101 netns /var/run/netns/cni-1"), strategy.vmCommands(pod, 101, "ens3.101"));
        assertEquals(List.of("link set ens3.101 name eth0", "link set eth0 up", "addr add 10.244.1.5/24 dev eth0",
                "route add default via 10.244.1.1 dev eth0", "route add 172.16.1.0/24 via 10.244.1.1 dev eth0"),
                strategy.podCommands(pod, "ens3.101"));
        assertEquals("enp0s31f6.4094", KernelVlanStrategy.subInterface("enp0s31f6", 4094));
        assertEquals("enp0s31f6abc.12", KernelVlanStrategy.subInterface("enp0s31f6abcdef", 12));
    }
}
