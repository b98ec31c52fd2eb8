package io.ovnk.overlay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ipam.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {

    private static NodeSettings of(String node, String encapIp, String[] cluster, String hostNetns) {
        return NodeSettings.of(node, encapIp, "", "tcp:10.0.0.1:6642,tcp:10.0.0.2:6642", "", "", 1400, cluster,
                new String[] { "172.16.1.0/24" }, hostNetns, true);
    }

    @Test
    void missingNodeNameIsAnErrorNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> of(null, "10.0.0.5", new String[] { "10.128.0.0/14" }, ""));
        assertEquals("io.ovnk.overlay.node: node.name is required and not set", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> of("node1", " ", new String[] { "10.128.0.0/14" }, ""));
        assertEquals("io.ovnk.overlay.node: encap.ip is required and not set", e.getMessage());
    }

    @Test
    void badValuesNameTheKeyAndIndex() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> of("node1", "10.0.0.5", new String[] { "10.128.0.0/14", "10.200.0.1/16" }, ""));
        assertTrue(e.getMessage().startsWith("io.ovnk.overlay.node: cluster.subnets[1]: \"10.200.0.1/16\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> of("node1", "10.0.0", new String[0], ""));
        assertTrue(e.getMessage().startsWith("io.ovnk.overlay.node: encap.ip: \"10.0.0\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> of("node1", "10.0.0.5", new String[0], "/var/run/netns/x"));
        assertTrue(e.getMessage().startsWith("io.ovnk.overlay.node: host.netns:"), e.getMessage());
    }

    @Test
    void defaultsAndIpamStyleClusterSubnets() {
        NodeSettings settings = of("node1", "10.0.0.5", new String[] { "10.128.0.0/14/23" }, "");
        assertEquals("geneve", settings.encapType());
        assertEquals("br-int", settings.bridge());
        assertEquals("system", settings.datapathType());
        assertEquals(List.of(Cidr.parse("10.128.0.0/14")), settings.clusterSubnets());
        assertEquals("k8s-node1", settings.managementPortName());
        assertEquals("/proc/" + ProcessHandle.current().pid() + "/ns/net", settings.hostNetnsReference());
        assertEquals("chassis1", of("node1", "10.0.0.5", new String[0], "chassis1").hostNetnsReference());
    }
}
