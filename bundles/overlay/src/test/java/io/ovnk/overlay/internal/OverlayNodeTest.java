package io.ovnk.overlay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.kube.OvnAnnotations;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Row;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The node set-up against a real chassis left unconfigured: exactly the OVN configuration, bridge and
 * management port it should write, the same again (and nothing new) on a restart, ovn-controller registering
 * the chassis with it, and the management port installed once the Northbound has its logical port.
 */
@RequiresOvn
class OverlayNodeTest {

    @Test
    void setUpConfiguresTheChassisBridgeAndManagementPortIdempotently() throws Exception {
        try (NodeHarness harness = new NodeHarness()) {
            harness.createNode();
            NodeHarness.Agent agent = harness.agent().start();

            // early: system-id made and published before the master gave a subnet; pods must wait
            String chassisId = harness.awaitAnnotation(OvnAnnotations.NODE_CHASSIS_ID);
            assertFalse(agent.setup.readiness().ready());
            PlumbingException early = assertThrows(PlumbingException.class, () -> agent.plumber.plumb(
                    new PodAttachment("default", "early", "", "0123456789abcdef", "/var/run/netns/none", "eth0",
                            "0a:58:0a:80:00:09", List.of("10.128.0.9/23"), List.of("10.128.0.1"), List.of(), 1400),
                    Duration.ofSeconds(5)));
            assertTrue(early.retryable(), early.getMessage());
            assertTrue(early.getMessage().contains("set-up not complete"), early.getMessage());

            Row global = harness.select(LocalOvs.OPEN_VSWITCH).get(0);
            assertEquals(Map.of("system-id", chassisId, "hostname", "node1",
                    "ovn-remote", harness.stack.southbound().tcpRemote(), "ovn-encap-type", "geneve",
                    "ovn-encap-ip", harness.chassis.encapIp(), "ovn-bridge-datapath-type", "netdev"),
                    global.map("external_ids"));
            UUID.fromString(chassisId); // generated: a UUID, as ovs-ctl makes one

            Row bridge = harness.selectNamed(LocalOvs.BRIDGE, "br-int");
            assertEquals("netdev", bridge.string("datapath_type"));
            assertEquals(Set.of("secure"), bridge.set("fail_mode"));
            assertEquals("true", bridge.map("other_config").get("disable-in-band"));
            assertTrue(global.set("bridges").contains(bridge.uuid()));

            // ovn-controller registers the chassis with that system-id and a Geneve encap at the encap IP
            harness.stack.sbctl("--timeout=30", "wait-until", "Chassis", chassisId);
            assertEquals("node1", harness.stack.sbctl("--bare", "--columns=hostname", "list", "Chassis", chassisId).trim());
            String encap = harness.stack.sbctl("--bare", "--columns=type,ip", "find", "Encap", "chassis_name=" + chassisId);
            assertEquals(List.of("geneve", harness.chassis.encapIp()), List.of(encap.trim().split("\\s+")));

            // the master's subnet arrives: the management port follows, event-driven
            harness.annotateSubnet("10.128.0.0/23");
            agent.ready();
            assertTrue(agent.setup.readiness().ready(), agent.setup.readiness().reason());
            assertEquals("0a:58:0a:80:00:02", harness.awaitAnnotation(OvnAnnotations.NODE_MGMT_PORT_MAC));

            Row mp0 = harness.selectNamed(LocalOvs.INTERFACE, "ovn-k8s-mp0");
            assertEquals("internal", mp0.string("type"));
            assertEquals(Set.of("0a:58:0a:80:00:02"), mp0.set("mac"));
            assertEquals(Set.of(1400L), mp0.set("mtu_request"));
            assertEquals(Map.of("iface-id", "k8s-node1"), mp0.map("external_ids"));
            Row mp0Port = harness.selectNamed(LocalOvs.PORT, "ovn-k8s-mp0");
            assertTrue(harness.selectNamed(LocalOvs.BRIDGE, "br-int").set("ports").contains(mp0Port.uuid()));

            String link = harness.ipHost("addr", "show", "dev", "ovn-k8s-mp0");
            assertTrue(link.contains("link/ether 0a:58:0a:80:00:02"), link);
            assertTrue(link.contains("inet 10.128.0.2/23"), link);
            assertTrue(link.contains("mtu 1400"), link);
            assertTrue(link.contains(",UP") || link.contains("<UP"), link);
            String routes = harness.ipHost("route", "show", "dev", "ovn-k8s-mp0");
            assertTrue(routes.contains("10.128.0.0/14 via 10.128.0.1"), routes);
            assertTrue(routes.contains("172.16.1.0/24 via 10.128.0.1"), routes);

            // a restart (a new process on the same node) keeps everything: no new row, no second address or route
            agent.close();
            NodeHarness.Agent again = harness.agent().start().ready();
            assertEquals(chassisId, again.setup.systemId().orElseThrow());
            assertEquals(global.map("external_ids"), harness.select(LocalOvs.OPEN_VSWITCH).get(0).map("external_ids"));
            assertEquals(bridge.uuid(), harness.selectNamed(LocalOvs.BRIDGE, "br-int").uuid());
            assertEquals(mp0.uuid(), harness.selectNamed(LocalOvs.INTERFACE, "ovn-k8s-mp0").uuid());
            assertEquals(harness.select(LocalOvs.BRIDGE).size(), 1);
            assertEquals(link.replaceAll("valid_lft.*|preferred_lft.*", ""),
                    harness.ipHost("addr", "show", "dev", "ovn-k8s-mp0").replaceAll("valid_lft.*|preferred_lft.*", ""));
            assertEquals(routes, harness.ipHost("route", "show", "dev", "ovn-k8s-mp0"));

            // the management port is installed once the Northbound has k8s-node1
            harness.stack.nbctl("ls-add", "node1", "--", "set", "Logical_Switch", "node1",
                    "other_config:subnet=10.128.0.0/23", "--", "lsp-add", "node1", "k8s-node1", "--",
                    "lsp-set-addresses", "k8s-node1", "0a:58:0a:80:00:02 10.128.0.2");
            harness.chassis.vsctl("wait-until", "Interface", "ovn-k8s-mp0", "external_ids:ovn-installed=true");
            harness.stack.nbctl("--timeout=30", "wait-until", "Logical_Switch_Port", "k8s-node1", "up=true");
        }
    }

    @Test
    void aFailingStepIsRetriedUntilItSucceedsAndReadinessNamesIt() throws Exception {
        try (NodeHarness harness = new NodeHarness()) {
            harness.createNode();
            harness.annotateSubnet("10.128.2.0/23");
            java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.CompletableFuture<String> reasonWhileFailing = new java.util.concurrent.CompletableFuture<>();
            NodeHarness.Agent agent = harness.agent(real -> new io.ovnk.kube.Annotator() {
                @Override
                public <T extends io.fabric8.kubernetes.api.model.HasMetadata> T annotate(Class<T> type, String namespace,
                        String name, java.util.function.Function<T, Map<String, String>> changes) {
                    return real.annotate(type, namespace, name, changes);
                }

                @Override
                public <T extends io.fabric8.kubernetes.api.model.HasMetadata> T annotate(T known,
                        java.util.function.Function<T, Map<String, String>> changes) {
                    int attempt = attempts.incrementAndGet();
                    if (attempt <= 3) {
                        if (attempt == 3) {
                            reasonWhileFailing.complete(harness.lastAgentReadiness().reason());
                        }
                        throw new IllegalStateException("API server unavailable (attempt " + attempt + ")");
                    }
                    return real.annotate(known, changes);
                }
            }).start();
            agent.ready();
            assertTrue(attempts.get() >= 4, "attempts: " + attempts.get());
            String reason = reasonWhileFailing.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(reason.contains("annotation k8s.ovn.org/node-chassis-id failed: API server unavailable"), reason);
            assertTrue(agent.setup.readiness().ready());
            assertEquals("0a:58:0a:80:02:02", harness.awaitAnnotation(OvnAnnotations.NODE_MGMT_PORT_MAC));
        }
    }
}
