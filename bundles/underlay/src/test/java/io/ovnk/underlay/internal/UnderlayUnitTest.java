package io.ovnk.underlay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plain parts: the annotation codec, settings, the node's reading of the pod's VLAN. */
class UnderlayUnitTest {

    @Test
    void theVlanAnnotationRoundTripsAndNamesWhatIsWrong() {
        VlanAnnotation annotation = new VlanAnnotation("vm1", 101);
        assertEquals("{\"parent\":\"vm1\",\"tag\":101}", annotation.toJson());
        assertEquals(annotation, VlanAnnotation.parse(annotation.toJson()));
        assertEquals("tag: 4095 is not a VLAN id (1-4094)", assertThrows(IllegalArgumentException.class,
                () -> VlanAnnotation.parse("{\"parent\":\"vm1\",\"tag\":4095}")).getMessage());
        assertEquals("tag: missing or not an integer", assertThrows(IllegalArgumentException.class,
                () -> VlanAnnotation.parse("{\"parent\":\"vm1\",\"tag\":\"7\"}")).getMessage());
        assertEquals("parent: missing or not a string", assertThrows(IllegalArgumentException.class,
                () -> VlanAnnotation.parse("{\"tag\":7}")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VlanAnnotation.parse("{\"parent\":"))
                .getMessage().startsWith("not JSON"));
        String twice = assertThrows(IllegalArgumentException.class,
                () -> VlanAnnotation.parse("{\"parent\":\"vm1\",\"tag\":7,\"tag\":9}")).getMessage();
        assertTrue(twice.startsWith("not JSON") && twice.contains("tag"), twice);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> VlanAnnotation.parse("{\"parent\":\"vm1\",\"tag\":7} x")).getMessage().startsWith("not JSON"));
    }

    @Test
    void settingsNameTheKeyThatIsWrong() {
        NodeSettings settings = NodeSettings.of("node-1", null, null, null, 1400, null, true);
        assertEquals(NodeSettings.Strategy.KERNEL_VLAN, settings.strategy());
        assertEquals("eth0", settings.vmNic());
        assertEquals("br-guest", settings.guestBridge());
        assertEquals("io.ovnk.underlay.node: strategy: \"macvlan\": expected kernel-vlan or guest-bridge",
                assertThrows(IllegalArgumentException.class, () -> NodeSettings.of("n", "macvlan", null, null, 1400,
                        null, true)).getMessage());
        assertEquals("io.ovnk.underlay.node: vm.nic: \"a-very-long-nic-name\": not an interface name (1-15 "
                + "characters, no '/', ':' or blank)", assertThrows(IllegalArgumentException.class,
                        () -> NodeSettings.of("n", null, "a-very-long-nic-name", null, 1400, null, true)).getMessage());
        assertEquals("io.ovnk.underlay.node: node.name is required and not set", assertThrows(
                IllegalArgumentException.class, () -> NodeSettings.of(" ", null, null, null, 1400, null, true))
                .getMessage());
        assertEquals("io.ovnk.underlay.node: host.netns: \"/run/netns/x\": a namespace name under /var/run/netns, not "
                + "a path", assertThrows(IllegalArgumentException.class, () -> NodeSettings.of("n", null, null, null,
                        1400, "/run/netns/x", true)).getMessage());
    }

    @Test
    void vmPortsAreParsedAndAMalformedEntryIsRefused() {
        assertEquals(Map.of("node1", "vm-1", "node2", "vm-2"), UnderlayPortBinder.parseVmPorts(new String[] {
            "node1=vm-1", " node2 = vm-2 " }));
        assertEquals("io.ovnk.underlay: node.vm.ports[1]: \"node2\" is not NODE=LOGICAL_SWITCH_PORT",
                assertThrows(IllegalArgumentException.class, () -> UnderlayPortBinder.parseVmPorts(new String[] {
                    "node1=vm-1", "node2" })).getMessage());
        assertEquals("io.ovnk.underlay: node.vm.ports[1]: node node1 is mapped twice", assertThrows(
                IllegalArgumentException.class, () -> UnderlayPortBinder.parseVmPorts(new String[] { "node1=a",
                    "node1=b" })).getMessage());
    }

    private static PodAttachment attachment(Map<String, String> annotations) {
        return new PodAttachment("default", "web", "u1", "sandbox", "/var/run/netns/x", "eth0", "0a:58:0a:f4:00:05",
                List.of("10.244.0.5/24"), List.of(), List.of(), 1400, annotations);
    }

    @Test
    void theNodeReadsThePodsVlanFromTheAttachmentsAnnotations() throws Exception {
        assertEquals(101, UnderlayPodPlumber.tag(attachment(Map.of(UnderlayNames.POD_VLAN,
                "{\"parent\":\"vm1\",\"tag\":101}"))));
        PlumbingException missing = assertThrows(PlumbingException.class, () -> UnderlayPodPlumber.tag(
                attachment(Map.of())));
        assertTrue(missing.retryable() && missing.getMessage().equals("pod default/web: no annotation "
                + "k8s.ovn.org/underlay-vlan (the master writes it with k8s.ovn.org/pod-networks once the underlay "
                + "mode has bound the pod)"), missing.getMessage());
        PlumbingException bad = assertThrows(PlumbingException.class, () -> UnderlayPodPlumber.tag(attachment(
                Map.of(UnderlayNames.POD_VLAN, "{\"parent\":\"vm1\"}"))));
        assertTrue(!bad.retryable() && bad.getMessage().equals("pod default/web: annotation k8s.ovn.org/underlay-vlan: "
                + "tag: missing or not an integer: \"{\"parent\":\"vm1\"}\""), bad.getMessage());
    }
}
