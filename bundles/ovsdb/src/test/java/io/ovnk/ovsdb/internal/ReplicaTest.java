package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovsdb.RowChange;
import io.ovnk.ovsdb.TableMonitor;
import io.ovnk.ovsdb.TableSchema;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cache's delivery to listeners: never blocked by a listener, never dropping a change. */
class ReplicaTest {

    final ExecutorService delivery = Executors.newFixedThreadPool(2);
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final Replica replica = new Replica(delivery, timer);
    final TableSchema ports = RowsTest.PORTS;

    @AfterEach
    void stop() {
        delivery.shutdownNow();
        timer.shutdownNow();
    }

    @Test
    void aBlockedListenerReceivesEveryChangeMergedPerRowAndNeverStallsTheCache() throws Exception {
        replica.define(ports, TableMonitor.of("Port"));
        CountDownLatch firstBatch = new CountDownLatch(1);
        CountDownLatch secondBatch = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        List<List<RowChange>> slow = new CopyOnWriteArrayList<>();
        List<RowChange> fast = new CopyOnWriteArrayList<>();
        replica.listen(changes -> {
            slow.add(changes);
            firstBatch.countDown();
            secondBatch.countDown();
            try {
                release.await(10, TimeUnit.SECONDS); // a listener stuck on its first batch
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        replica.listen(fast::addAll);

        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        replica.apply(RowsTest.json("{\"Port\":{\"" + a + "\":{\"insert\":{\"name\":\"a\"}}}}"), 2);
        assertTrue(firstBatch.await(5, TimeUnit.SECONDS));
        // while the slow listener is stuck, the cache goes on: 1,000 changes of a, b inserted and c born and gone
        for (int i = 0; i < 1000; i++) {
            replica.apply(RowsTest.json("{\"Port\":{\"" + a + "\":{\"modify\":{\"name\":\"a" + i + "\"}}}}"), 2);
        }
        replica.apply(RowsTest.json("{\"Port\":{\"" + b + "\":{\"insert\":{\"name\":\"b\"}}}}"), 2);
        replica.apply(RowsTest.json("{\"Port\":{\"" + c + "\":{\"insert\":{\"name\":\"c\"}}}}"), 2);
        replica.apply(RowsTest.json("{\"Port\":{\"" + c + "\":{\"delete\":null}}}"), 2);
        assertEquals("a999", replica.table("Port").get(a).orElseThrow().string("name"), "the cache was not held up");
        release.countDown();

        assertTrue(secondBatch.await(10, TimeUnit.SECONDS));
        assertEquals(2, slow.size(), "one batch while stuck, one merged batch after");
        List<RowChange> merged = slow.get(1);
        assertEquals(2, merged.size(), "a (merged) and b; c came and went unseen: " + merged);
        RowChange ofA = merged.get(0);
        assertEquals("a", ofA.old().string("name"), "first old");
        assertEquals("a999", ofA.current().string("name"), "last new");
        assertTrue(merged.get(1).isInsert());
        assertNull(replica.table("Port").get(c).orElse(null));
        // the other listener was never held up: replaying what it heard gives the cache's final state
        java.util.Map<UUID, io.ovnk.ovsdb.Row> replayed = new java.util.HashMap<>();
        for (RowChange change : fast) {
            if (change.current() == null) {
                replayed.remove(change.uuid());
            } else {
                replayed.put(change.uuid(), change.current());
            }
        }
        assertEquals(java.util.Set.of(a, b), replayed.keySet());
        assertEquals("a999", replayed.get(a).string("name"));
    }

    @Test
    void anUpdateThatTurnsOutBadIsTakenBackWholeAndHeardByNoListener() throws Exception {
        replica.define(ports, TableMonitor.of("Port"));
        List<RowChange> heard = new CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<Void> last = new java.util.concurrent.CompletableFuture<>();
        replica.listen(changes -> {
            heard.addAll(changes);
            if (changes.stream().anyMatch(change -> change.current() != null
                    && "last".equals(change.current().string("name")))) {
                last.complete(null);
            }
        });
        UUID kept = UUID.randomUUID();
        replica.apply(RowsTest.json("{\"Port\":{\"" + kept + "\":{\"insert\":{\"name\":\"kept\"}}}}"), 2);
        replica.table("Port").get(kept).orElseThrow();
        UUID ghost = UUID.randomUUID();
        for (String bad : List.of(
                "{\"Port\":{\"" + ghost + "\":{\"insert\":{\"name\":\"ghost\"}},\"" + kept
                        + "\":{\"modify\":{\"name\":\"changed\"}},\"" + UUID.randomUUID() + "\":{\"insert\":{\"name\":5}}}}",
                "{\"Port\":{\"" + ghost + "\":{\"insert\":{\"name\":\"ghost\"}},\"" + kept + "\":{\"delete\":null}},"
                        + "\"Unmonitored\":{}}",
                "{\"Port\":[1,2]}", "[]")) {
            org.junit.jupiter.api.Assertions.assertThrows(io.ovnk.ovsdb.ProtocolException.class,
                    () -> replica.apply(RowsTest.json(bad), 2), bad);
            assertEquals(java.util.Set.of(kept), replica.table("Port").rows().stream().map(io.ovnk.ovsdb.Row::uuid).collect(java.util.stream.Collectors.toSet()), bad);
            assertEquals("kept", replica.table("Port").get(kept).orElseThrow().string("name"), bad);
            org.junit.jupiter.api.Assertions.assertThrows(io.ovnk.ovsdb.ProtocolException.class,
                    () -> replica.replace(java.util.Set.of("Port"), RowsTest.json(bad.replace("modify", "initial")
                            .replace("insert", "initial")), 2), bad);
            assertEquals(java.util.Set.of(kept), replica.table("Port").rows().stream().map(io.ovnk.ovsdb.Row::uuid).collect(java.util.stream.Collectors.toSet()), bad);
        }
        // what listeners heard replays to the cache: nothing of the bad updates
        replica.apply(RowsTest.json("{\"Port\":{\"" + kept + "\":{\"modify\":{\"name\":\"last\"}}}}"), 2);
        last.get(10, TimeUnit.SECONDS);
        assertTrue(heard.stream().noneMatch(change -> change.uuid().equals(ghost)), heard.toString());
    }
}
