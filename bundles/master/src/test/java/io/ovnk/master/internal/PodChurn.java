package io.ovnk.master.internal;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Pods created and deleted through the API from a few threads while faults happen: after every fourth creation a
 * thread deletes a pod it created two rounds earlier, so about a quarter of the pods go again while others are
 * still coming. Each API call holds a read lock, so a test can {@link #pause()} the writers (for the time the API
 * endpoint itself is down: nobody can write then) and {@link #resume()} them.
 */
final class PodChurn implements AutoCloseable {

    private static final int THREADS = 4;

    private final KubernetesClient client;
    private final String prefix;
    private final int creations;
    private final int nodes;
    private final ExecutorService writers = Executors.newFixedThreadPool(THREADS);
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final Set<String> live = ConcurrentHashMap.newKeySet();
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final Object progress = new Object();
    private int created;
    private CompletableFuture<Void> finished;

    /** {@code creations} pods named {@code prefix-N} in namespaces ns0..ns3 on nodes node-0..node-(nodes-1). */
    PodChurn(KubernetesClient client, String prefix, int creations, int nodes) {
        this.client = client;
        this.prefix = prefix;
        this.creations = creations;
        this.nodes = nodes;
    }

    PodChurn start() {
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int first = t;
            threads.add(CompletableFuture.runAsync(() -> {
                for (int i = first; i < creations; i += THREADS) {
                    create(i);
                    if (i % 4 == 3 && i >= 2 * THREADS) {
                        delete(i - 2 * THREADS); // created by this thread, two rounds ago
                    }
                }
            }, writers));
        }
        finished = CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new));
        return this;
    }

    private void create(int i) {
        String namespace = "ns" + (i % 4);
        String name = prefix + "-" + i;
        gate.readLock().lock();
        try {
            client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withNamespace(namespace)
                    .withName(name).endMetadata().withNewSpec().withNodeName("node-" + (i % nodes)).addNewContainer()
                    .withName("c").withImage("pause").endContainer().endSpec().build()).create();
        } finally {
            gate.readLock().unlock();
        }
        live.add(namespace + "/" + name);
        synchronized (progress) {
            created++;
            progress.notifyAll();
        }
    }

    private void delete(int i) {
        String namespace = "ns" + (i % 4);
        String name = prefix + "-" + i;
        gate.readLock().lock();
        try {
            client.pods().inNamespace(namespace).withName(name).delete();
        } finally {
            gate.readLock().unlock();
        }
        live.remove(namespace + "/" + name);
        deleted.add(namespace + "/" + name);
    }

    /** Waits until this many pods have been created (a fault is injected at such a point of the churn). */
    void awaitCreated(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (created < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || finished.isDone()) {
                    finished.join(); // a writer's failure says more than the count
                    throw new AssertionError("only " + created + " of " + count + " pods created within " + timeout);
                }
                progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Returns once no API call is in flight; none starts until {@link #resume()}. */
    void pause() {
        gate.writeLock().lock();
    }

    void resume() {
        gate.writeLock().unlock();
    }

    void awaitFinished(Duration timeout) throws Exception {
        finished.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** namespace/name of the pods that exist now (once finished: at the end). */
    Set<String> live() {
        return Set.copyOf(live);
    }

    Set<String> deleted() {
        return Set.copyOf(deleted);
    }

    int creations() {
        return creations;
    }

    @Override
    public void close() {
        writers.shutdownNow();
    }
}
