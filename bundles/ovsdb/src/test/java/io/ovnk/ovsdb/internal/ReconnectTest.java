package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.ConnectionLostException;
import io.ovnk.ovsdb.NotConnectedException;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.OvsdbException;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.RowChange;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server killed (-9) and restarted under a stream of writes: nothing acknowledged is lost, nothing doubled. */
@RequiresOvn
class ReconnectTest {

    @Test
    void writesAcrossAServerCrashAreAppliedExactlyOnceAndTheCacheConverges() throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly();
                OvsdbClient client = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound",
                        stack.northbound().tcpRemote()).withRequestTimeout(Duration.ofSeconds(20))
                        .withMaxBackoff(Duration.ofMillis(500)))) {
            client.monitor(TableMonitor.of("Logical_Switch")).get(10, TimeUnit.SECONDS);
            List<RowChange> heard = new CopyOnWriteArrayList<>();
            client.cache().listen(heard::addAll);

            List<CompletableFuture<?>> writes = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                if (i == 100) {
                    stack.kill(stack.northbound());
                }
                if (i == 200) {
                    stack.restart(stack.northbound());
                }
                String name = "sw-" + i;
                names.add(name);
                writes.add(client.transact(Operation.insert("Logical_Switch").set("name", name)));
            }
            Set<String> acknowledged = new HashSet<>();
            Set<String> unknown = new HashSet<>();
            for (int i = 0; i < writes.size(); i++) {
                try {
                    writes.get(i).get(30, TimeUnit.SECONDS);
                    acknowledged.add(names.get(i));
                } catch (java.util.concurrent.ExecutionException e) {
                    OvsdbException cause = OvsdbException.of(e);
                    assertTrue(cause instanceof ConnectionLostException, "unexpected failure of " + names.get(i) + ": " + e);
                    unknown.add(names.get(i));
                }
            }
            // writes issued after the restart returned were sent on the new connection: all acknowledged.
            // Those in flight when the server died may be lost or applied: ConnectionLost says "unknown".
            for (int i = 200; i < 300; i++) {
                assertTrue(acknowledged.contains(names.get(i)), names.get(i) + " was written after the restart");
            }

            List<Row> rows = client.transact(Operation.select("Logical_Switch")).get(10, TimeUnit.SECONDS).rows(0);
            Map<String, Long> counts = new java.util.HashMap<>();
            rows.forEach(row -> counts.merge(row.string("name"), 1L, Long::sum));
            for (String name : acknowledged) {
                assertEquals(1L, counts.getOrDefault(name, 0L), name + " was acknowledged: exactly one row");
            }
            for (String name : unknown) {
                assertTrue(counts.getOrDefault(name, 0L) <= 1, name + " at most once");
            }
            assertEquals(rows.size(), counts.size(), "no name twice");

            // the cache converges on the server's content
            client.cache().await("Logical_Switch", row -> "sw-299".equals(row.string("name")), Duration.ofSeconds(10))
                    .get(10, TimeUnit.SECONDS);
            Set<String> cached = new HashSet<>();
            client.cache().table("Logical_Switch").rows().forEach(row -> cached.add(row.string("name")));
            assertEquals(counts.keySet(), cached);
            assertEquals(2, client.connections(), "one reconnection");
            assertFalse(heard.stream().anyMatch(change -> change.isDelete()), "the reload produced no spurious deletes");
        }
    }

    @Test
    void requestsWaitForAConnectionWithinTheirDeadlineThenFailTyped() throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly();
                OvsdbClient client = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound",
                        stack.northbound().unixRemote()).withMaxBackoff(Duration.ofMillis(300)))) {
            client.connected().get(10, TimeUnit.SECONDS);
            stack.kill(stack.northbound());
            CompletableFuture<?> waiting = client.transact(List.of(Operation.insert("Logical_Switch").set("name", "late")),
                    Duration.ofMillis(700));
            NotConnectedException e = ClientTest.failure(waiting, NotConnectedException.class);
            assertTrue(e.getMessage().contains("within 700 ms"), e.getMessage());

            CompletableFuture<?> patient = client.transact(List.of(Operation.insert("Logical_Switch").set("name", "patient")),
                    Duration.ofSeconds(20));
            stack.restart(stack.northbound());
            patient.get(20, TimeUnit.SECONDS);
            assertEquals(2, client.connections());
        }
    }
}
