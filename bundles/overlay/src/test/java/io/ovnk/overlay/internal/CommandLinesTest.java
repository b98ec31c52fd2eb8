package io.ovnk.overlay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.ipam.Cidr;
import io.ovnk.network.spi.PodAttachment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code ip -batch} lines for a pod and for the management port, as they are sent. */
class CommandLinesTest {

    private static final NodeSettings SETTINGS = NodeSettings.of("node1", "10.0.0.5", "geneve", "tcp:10.0.0.1:6642",
            "br-int", "system", 1400, new String[] { "10.128.0.0/14/23", "fd00:10:128::/48" },
            new String[] { "172.16.1.0/24" }, "host-ns", true);

    @Test
    void podLinesMakeTheVethInThePodAndSendTheHostEndOut() {
        OverlayPodPlumber plumber = new OverlayPodPlumber(SETTINGS, null, new Links(new ProcessRunner(), SETTINGS),
                () -> null);
        PodAttachment pod = new PodAttachment("default", "web", "uid", "0123456789abcdef0123", "/proc/42/ns/net", "eth0",
                "0a:58:0a:80:00:05", List.of("10.128.0.5/23", "fd00:10:128::5/64"), List.of("10.128.0.1", "fd00:10:128::1"),
                List.of(new PodAttachment.Route("10.96.0.0/16", "10.128.0.1")), 1400);
        assertEquals("0123456789abcde", OverlayPodPlumber.hostName(pod.sandboxId()));
        assertEquals(List.of(
                "link add eth0 mtu 1400 address 0a:58:0a:80:00:05 type veth peer name 0123456789abcde mtu 1400 netns host-ns",
                "link set eth0 up",
                "addr add 10.128.0.5/23 dev eth0",
                "addr add fd00:10:128::5/64 dev eth0 nodad",
                "route add default via 10.128.0.1 dev eth0",
                "route add default via fd00:10:128::1 dev eth0",
                "route add 10.96.0.0/16 via 10.128.0.1 dev eth0"), plumber.podCommands(pod, "0123456789abcde"));
    }

    @Test
    void managementLinesRouteEachFamilyViaItsFirstAddress() {
        NodeSetup setup = new NodeSetup(SETTINGS, null, null, null, null, java.time.Duration.ofSeconds(1));
        try {
            assertEquals(List.of(
                    "link set ovn-k8s-mp0 up",
                    "addr replace 10.128.4.2/23 dev ovn-k8s-mp0",
                    "route replace 10.128.0.0/14 via 10.128.4.1 dev ovn-k8s-mp0",
                    "route replace 172.16.1.0/24 via 10.128.4.1 dev ovn-k8s-mp0"),
                    setup.managementCommands(List.of(Cidr.parse("10.128.4.0/23"))));
        } finally {
            setup.close();
        }
    }
}
