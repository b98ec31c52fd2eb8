package io.ovnk.kube.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.ovnk.kube.QueueStats;
import io.ovnk.kube.ResourceHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeyedQueueTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<KeyedQueue<?>> queues = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (KeyedQueue<?> queue : queues) {
            queue.stop(5, TimeUnit.SECONDS);
        }
        timer.shutdownNow();
    }

    static ConfigMap object(String name, String uid, int version) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace("ns").withName(name).withUid(uid)
                .withResourceVersion(Integer.toString(version)).endMetadata().build();
    }

    /** Records every call as "added name v", "updated name v1->v2", "deleted name v"; can block and fail on demand. */
    static class Recorder implements ResourceHandler<ConfigMap> {
        final BlockingQueue<String> calls = new LinkedBlockingQueue<>();
        final java.util.concurrent.Semaphore entered = new java.util.concurrent.Semaphore(0);
        final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
        final Map<String, List<Long>> times = new ConcurrentHashMap<>();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger mostConcurrent = new AtomicInteger();
        final Map<String, AtomicInteger> perKey = new ConcurrentHashMap<>();
        volatile boolean overlapOnAKey;

        @Override
        public Class<ConfigMap> resourceType() {
            return ConfigMap.class;
        }

        @Override
        public void added(ConfigMap resource) throws Exception {
            call(resource, "added " + name(resource) + " " + version(resource));
        }

        @Override
        public void updated(ConfigMap previous, ConfigMap current) throws Exception {
            call(current, "updated " + name(current) + " " + version(previous) + "->" + version(current));
        }

        @Override
        public void deleted(ConfigMap resource) throws Exception {
            call(resource, "deleted " + name(resource) + " " + version(resource));
        }

        private void call(ConfigMap resource, String call) throws Exception {
            String name = name(resource);
            mostConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            if (perKey.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlapOnAKey = true;
            }
            try {
                times.computeIfAbsent(name, k -> Collections.synchronizedList(new ArrayList<>())).add(System.nanoTime());
                entered.release();
                CountDownLatch gate = gates.get(name);
                if (gate != null) {
                    gate.await();
                }
                AtomicInteger left = failuresLeft.get(name);
                if (left != null && left.getAndDecrement() > 0) {
                    calls.add("failed " + call);
                    throw new IllegalStateException("planned failure of " + name);
                }
                calls.add(call);
            } finally {
                perKey.get(name).decrementAndGet();
                concurrent.decrementAndGet();
            }
        }

        String next() throws InterruptedException {
            String call = calls.poll(10, TimeUnit.SECONDS);
            if (call == null) {
                throw new AssertionError("no call within 10 s");
            }
            return call;
        }

        static String name(ConfigMap resource) {
            return resource.getMetadata().getName();
        }

        static String version(ConfigMap resource) {
            return resource.getMetadata().getResourceVersion();
        }
    }

    private KeyedQueue<ConfigMap> queue(Recorder recorder, int workers, Duration base) {
        KeyedQueue<ConfigMap> queue = new KeyedQueue<>("test", recorder, workers, new Backoff(base, base.multipliedBy(64)),
                timer);
        queues.add(queue);
        queue.start();
        return queue;
    }

    @Test
    void changesWhileBusyAreCoalescedIntoTheNewestState() throws Exception {
        Recorder recorder = new Recorder();
        CountDownLatch gate = new CountDownLatch(1);
        recorder.gates.put("a", gate);
        KeyedQueue<ConfigMap> queue = queue(recorder, 2, Duration.ofMillis(5));
        queue.offer(object("a", "u1", 1), false);
        awaitEntered(recorder, 1);
        queue.offer(object("a", "u1", 2), false); // returns at once although the handler is busy with "a"
        queue.offer(object("a", "u1", 3), false);
        queue.offer(object("a", "u1", 4), false);
        gate.countDown();
        assertEquals("added a 1", recorder.next());
        assertEquals("updated a 1->4", recorder.next(), "versions 2 and 3 were coalesced away");
        assertTrue(recorder.calls.poll(200, TimeUnit.MILLISECONDS) == null, "nothing else: " + recorder.calls);
    }

    @Test
    void oneObjectIsNeverHandledTwiceAtOnceAndItsChangesArriveInOrder() throws Exception {
        Recorder recorder = new Recorder();
        KeyedQueue<ConfigMap> queue = queue(recorder, 4, Duration.ofMillis(5));
        for (int version = 1; version <= 2000; version++) {
            for (String name : List.of("a", "b", "c")) {
                queue.offer(object(name, "u-" + name, version), false);
            }
        }
        Map<String, Integer> lastSeen = new ConcurrentHashMap<>();
        while (lastSeen.size() < 3 || lastSeen.values().stream().anyMatch(v -> v < 2000)) {
            String call = recorder.next();
            String[] parts = call.split(" ");
            int version = Integer.parseInt(parts[2].contains("->") ? parts[2].split("->")[1] : parts[2]);
            Integer before = lastSeen.put(parts[1], version);
            assertTrue(before == null || version > before, "in order: " + call + " after version " + before);
        }
        assertTrue(!recorder.overlapOnAKey, "two workers were in one object at once");
    }

    @Test
    void workersAreBoundedAndTheRestWaitsInTheQueue() throws Exception {
        Recorder recorder = new Recorder();
        CountDownLatch gate = new CountDownLatch(1);
        for (int i = 0; i < 10; i++) {
            recorder.gates.put("o" + i, gate);
        }
        KeyedQueue<ConfigMap> queue = queue(recorder, 3, Duration.ofMillis(5));
        for (int i = 0; i < 10; i++) {
            queue.offer(object("o" + i, "u" + i, 1), false);
        }
        awaitEntered(recorder, 3);
        QueueStats stats = queue.stats();
        assertEquals(3, stats.inFlight());
        assertEquals(7, stats.depth());
        gate.countDown();
        for (int i = 0; i < 10; i++) {
            recorder.next();
        }
        assertEquals(3, recorder.mostConcurrent.get());
    }

    @Test
    void failuresAreRetriedWithGrowingPausesWhileOtherObjectsGoOn() throws Exception {
        Recorder recorder = new Recorder();
        recorder.failuresLeft.put("bad", new AtomicInteger(4));
        KeyedQueue<ConfigMap> queue = queue(recorder, 1, Duration.ofMillis(20));
        queue.offer(object("bad", "u1", 1), false);
        assertEquals("failed added bad 1", recorder.next());
        queue.offer(object("good", "u2", 1), false);
        assertEquals("added good 1", recorder.next(), "the good object does not wait for the bad one's backoff");
        queue.offer(object("bad", "u1", 2), false); // arrives during the backoff: coalesced into the retry
        assertEquals("failed added bad 2", recorder.next());
        assertEquals("failed added bad 2", recorder.next());
        assertEquals("failed added bad 2", recorder.next());
        assertEquals("added bad 2", recorder.next());
        List<Long> times = recorder.times.get("bad");
        for (int attempt = 1; attempt < times.size(); attempt++) {
            long waited = TimeUnit.NANOSECONDS.toMillis(times.get(attempt) - times.get(attempt - 1));
            long planned = 20L << (attempt - 1);
            assertTrue(waited >= planned, "retry " + attempt + " came after " + waited + " ms, planned " + planned);
        }
        QueueStats stats = queue.stats();
        assertEquals(4, stats.failures());
        assertTrue(stats.lastFailure().contains("planned failure of bad"), stats.lastFailure());
        assertEquals(0, stats.retrying());
    }

    @Test
    void oneFailingHandlerNeverStallsAnother() throws Exception {
        Recorder failing = new Recorder();
        Recorder healthy = new Recorder();
        KeyedQueue<ConfigMap> bad = queue(failing, 1, Duration.ofMillis(1));
        KeyedQueue<ConfigMap> good = queue(healthy, 1, Duration.ofMillis(1));
        for (int i = 0; i < 50; i++) {
            failing.failuresLeft.put("o" + i, new AtomicInteger(Integer.MAX_VALUE));
            bad.offer(object("o" + i, "u" + i, 1), false);
            good.offer(object("o" + i, "u" + i, 1), false);
        }
        for (int i = 0; i < 50; i++) {
            assertTrue(healthy.next().startsWith("added o"));
        }
        // the failing handler is retried all along: a 51st call is a retry, which is scheduled only after the
        // failure before it was counted (waiting for it, not assuming it, keeps this true on a loaded machine)
        assertTrue(failing.entered.tryAcquire(51, 30, java.util.concurrent.TimeUnit.SECONDS), "the failing handler is retried");
        assertTrue(bad.stats().failures() > 0);
    }

    @Test
    void deletionsCarryTheLastStateAndObjectsNeverSeenAreNotReported() throws Exception {
        Recorder recorder = new Recorder();
        CountDownLatch gate = new CountDownLatch(1);
        recorder.gates.put("first", gate);
        KeyedQueue<ConfigMap> queue = queue(recorder, 1, Duration.ofMillis(5));
        queue.offer(object("first", "u0", 1), false); // occupies the only worker
        awaitEntered(recorder, 1);
        queue.offer(object("ghost", "u1", 1), false);
        queue.offer(object("ghost", "u1", 2), true); // created and deleted before the handler got to it
        queue.offer(object("kept", "u2", 1), false);
        gate.countDown();
        assertEquals("added first 1", recorder.next());
        assertEquals("added kept 1", recorder.next(), "ghost was never handled, so its deletion is not either");
        queue.offer(object("kept", "u2", 5), true);
        assertEquals("deleted kept 5", recorder.next());
    }

    @Test
    void anObjectRecreatedUnderTheSameNameIsADeletionAndAnAddition() throws Exception {
        Recorder recorder = new Recorder();
        CountDownLatch gate = new CountDownLatch(1);
        KeyedQueue<ConfigMap> queue = queue(recorder, 1, Duration.ofMillis(5));
        queue.offer(object("a", "uid-1", 1), false);
        assertEquals("added a 1", recorder.next());
        recorder.entered.drainPermits();
        recorder.gates.put("a", gate);
        queue.offer(object("a", "uid-1", 2), false);
        awaitEntered(recorder, 1);
        queue.offer(object("a", "uid-1", 2), true);
        queue.offer(object("a", "uid-2", 3), false);
        recorder.gates.remove("a");
        gate.countDown();
        assertEquals("updated a 1->2", recorder.next());
        assertEquals("deleted a 2", recorder.next());
        assertEquals("added a 3", recorder.next());
    }

    /** Waits until {@code count} calls have entered the handler since the last wait (they block on their gates). */
    private static void awaitEntered(Recorder recorder, int count) throws InterruptedException {
        assertTrue(recorder.entered.tryAcquire(count, 10, TimeUnit.SECONDS), "never " + count + " calls in the handler");
    }
}
