package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.Chassis;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.Pod;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Southbound and Open_vSwitch databases of a real chassis: the client writes and monitors them as ovnk's
 * node agent will, and waits, event-driven, for ovn-controller to report a pod's port installed.
 */
@RequiresOvn
class ChassisTest {

    @Test
    void aPortIsAwaitedUntilOvnControllerInstallsItAndTheSouthboundShowsTheBinding() throws Exception {
        try (OvnStack stack = OvnStack.singleChassis()) {
            Chassis chassis = stack.chassis(0);
            try (OvsdbClient ovs = OvsdbClients.connect(OvsdbClientConfig.of("Open_vSwitch", chassis.database().unixRemote()));
                    OvsdbClient sb = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Southbound", stack.southbound().unixRemote()))) {
                ovs.monitor(TableMonitor.of("Open_vSwitch"), TableMonitor.of("Bridge"), TableMonitor.of("Port"),
                        TableMonitor.of("Interface").mapKeyIndex("iface-id", "external_ids", "iface-id")).get(10, TimeUnit.SECONDS);
                sb.monitor(TableMonitor.of("Chassis"), TableMonitor.of("Port_Binding")).get(10, TimeUnit.SECONDS);

                Row global = ovs.cache().table("Open_vSwitch").rows().iterator().next();
                assertEquals("node1", global.map("external_ids").get("system-id"));
                assertEquals("node1", sb.cache().table("Chassis").lookup("name", "node1").orElseThrow().string("hostname"));

                // an OVS write through the client: external_ids on the global row, as the node agent sets them
                ovs.transact(Operation.mutate("Open_vSwitch").where(Condition.uuid(global.uuid()))
                        .mutation(Mutation.insert("external_ids", Map.of("ovnk-test", "yes")))).get(10, TimeUnit.SECONDS);

                stack.nbctl("ls-add", "node1", "--", "lsp-add", "node1", "default_web-1", "--", "lsp-set-addresses",
                        "default_web-1", "0a:58:0a:80:00:05 10.128.0.5");
                CompletableFuture<Row> installed = ovs.cache().await("Interface", row -> "default_web-1".equals(
                        row.map("external_ids").get("iface-id")) && "true".equals(row.map("external_ids").get("ovn-installed")),
                        Duration.ofSeconds(20));
                assertFalse(installed.isDone(), "nothing installed before the pod is plugged");
                Pod pod = chassis.plug(stack.createPod("web-1"), "default_web-1", "0a:58:0a:80:00:05", "10.128.0.5/24",
                        "10.128.0.1", 1400);
                Row port = installed.get(20, TimeUnit.SECONDS);
                assertEquals(pod.hostInterface(), port.string("name"));
                assertEquals(port, ovs.cache().table("Interface").byIndex("iface-id", "default_web-1").get(0));

                UUID chassisUuid = sb.cache().table("Chassis").lookup("name", "node1").orElseThrow().uuid();
                Row binding = sb.cache().await("Port_Binding", row -> "default_web-1".equals(row.string("logical_port"))
                        && row.set("chassis").contains(chassisUuid), Duration.ofSeconds(20)).get(20, TimeUnit.SECONDS);
                assertEquals(Set.of(chassisUuid), binding.set("chassis"));
                assertTrue(ovs.cache().table("Open_vSwitch").rows().iterator().next().map("external_ids").containsKey("ovnk-test"));
            }
        }
    }
}
