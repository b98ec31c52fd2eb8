package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.LockListener;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.RowChange;
import io.ovnk.ovsdb.SchemaViolationException;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** cancel, monitor_cancel, lock, steal and unlock (with locked and stolen) against a real server. */
@RequiresOvn
class MethodsTest {

    @Test
    void cancellingAWaitingTransactionCancelsItOnTheServer() throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly();
                OvsdbClient client = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()))) {
            client.connected().get(10, TimeUnit.SECONDS);
            // waits (up to a minute) for a switch named "trigger", then inserts "after-wait"
            CompletableFuture<?> waiting = client.transact(List.of(
                    Operation.waitUntil("Logical_Switch").where(Condition.equal("name", "trigger")).timeout(60_000)
                            .untilNotEqual(List.of("name"), List.of()),
                    Operation.insert("Logical_Switch").set("name", "after-wait")), Duration.ofSeconds(90));
            client.echo().get(5, TimeUnit.SECONDS); // the waiting transaction has reached the server
            assertTrue(waiting.cancel(false));

            client.transact(Operation.insert("Logical_Switch").set("name", "trigger")).get(10, TimeUnit.SECONDS);
            // had the cancel not reached the server, the waiting transaction would have committed with the trigger
            List<?> after = client.transact(Operation.select("Logical_Switch").where(Condition.equal("name", "after-wait")))
                    .get(10, TimeUnit.SECONDS).rows(0);
            assertEquals(List.of(), after);
            assertEquals(1, client.connections());
        }
    }

    @Test
    void aCancelledMonitorLeavesTheCacheAndATableIsMonitoredOnce() throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly();
                OvsdbClient client = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()))) {
            stack.nbctl("ls-add", "a", "--", "ls-add", "b");
            AutoCloseable monitor = client.monitor(TableMonitor.of("Logical_Switch")).get(10, TimeUnit.SECONDS);
            assertEquals(2, client.cache().table("Logical_Switch").size());
            SchemaViolationException twice = ClientTest.failure(client.monitor(TableMonitor.of("Logical_Switch")),
                    SchemaViolationException.class);
            assertTrue(twice.getMessage().contains("already monitored"), twice.getMessage());

            List<RowChange> gone = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> bothGone = new CompletableFuture<>();
            client.cache().listen(changes -> {
                gone.addAll(changes);
                if (gone.stream().filter(RowChange::isDelete).count() == 2) {
                    bothGone.complete(null);
                }
            });
            monitor.close();
            bothGone.get(10, TimeUnit.SECONDS);
            assertFalse(client.cache().tables().contains("Logical_Switch"));
            // and it can be monitored again
            client.monitor(TableMonitor.of("Logical_Switch")).get(10, TimeUnit.SECONDS);
            assertEquals(2, client.cache().table("Logical_Switch").size());
        }
    }

    @Test
    void locksAreGrantedQueuedStolenAndReleasedWithNotifications() throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly();
                OvsdbClient first = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()));
                OvsdbClient second = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()))) {
            Map<String, CompletableFuture<String>> events = Map.of("first-stolen", new CompletableFuture<>(),
                    "second-locked", new CompletableFuture<>());
            first.listenLocks(listener(events.get("first-stolen"), false));
            second.listenLocks(listener(events.get("second-locked"), true));

            assertTrue(first.lock("ovnkube_master").get(10, TimeUnit.SECONDS));
            assertTrue(first.holds("ovnkube_master"));
            assertFalse(second.lock("ovnkube_master").get(10, TimeUnit.SECONDS), "queued behind the first");
            // a transaction that asserts the lock succeeds only for the holder
            first.transact(Operation.assertLock("ovnkube_master"), Operation.insert("Logical_Switch").set("name", "held"))
                    .get(10, TimeUnit.SECONDS);
            ClientTest.failure(second.transact(Operation.assertLock("ovnkube_master")), io.ovnk.ovsdb.OperationFailedException.class);

            second.steal("ovnkube_master").get(10, TimeUnit.SECONDS);
            assertEquals("ovnkube_master", events.get("first-stolen").get(10, TimeUnit.SECONDS));
            assertFalse(first.holds("ovnkube_master"));
            assertTrue(second.holds("ovnkube_master"));
            assertEquals("ovnkube_master", events.get("second-locked").get(10, TimeUnit.SECONDS));
            second.unlock("ovnkube_master").get(10, TimeUnit.SECONDS);
            assertFalse(second.holds("ovnkube_master"));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> first.lock("not-an-id"));
        }
    }

    private static LockListener listener(CompletableFuture<String> event, boolean onLocked) {
        return new LockListener() {
            @Override
            public void locked(String lock) {
                if (onLocked) {
                    event.complete(lock);
                }
            }

            @Override
            public void stolen(String lock) {
                if (!onLocked) {
                    event.complete(lock);
                }
            }
        };
    }
}
