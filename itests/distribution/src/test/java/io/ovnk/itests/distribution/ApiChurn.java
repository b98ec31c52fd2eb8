package io.ovnk.itests.distribution;

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

/**
 * Pods created and deleted through the API from a few threads while a fault happens, for the master to handle: after
 * every fourth creation a thread deletes a pod it created two rounds earlier (a quarter of the pods go again).
 * The pods are API objects only (no data path): {@code prefix-N} in namespaces ns0..ns3 on the given nodes.
 */
final class ApiChurn implements AutoCloseable {

    private static final int THREADS = 4;

    private final KubernetesClient client;
    private final String prefix;
    private final int creations;
    private final List<String> nodes;
    private final ExecutorService writers = Executors.newFixedThreadPool(THREADS);
    private final Set<String> live = ConcurrentHashMap.newKeySet();
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final Object progress = new Object();
    private int created;
    private CompletableFuture<Void> finished;

    ApiChurn(KubernetesClient client, String prefix, int creations, List<String> nodes) {
        this.client = client;
        this.prefix = prefix;
        this.creations = creations;
        this.nodes = List.copyOf(nodes);
    }

    ApiChurn start() {
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int first = t;
            threads.add(CompletableFuture.runAsync(() -> {
                for (int i = first; i < creations; i += THREADS) {
                    create(i);
                    if (i % 4 == 3 && i >= 2 * THREADS) {
                        delete(i - 2 * THREADS);
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
        client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withNamespace(namespace)
                .withName(name).endMetadata().withNewSpec().withNodeName(nodes.get(i % nodes.size()))
                .addNewContainer().withName("c").withImage("pause").endContainer().endSpec().build()).create();
        live.add(namespace + "/" + name);
        synchronized (progress) {
            created++;
            progress.notifyAll();
        }
    }

    private void delete(int i) {
        String namespace = "ns" + (i % 4);
        String name = prefix + "-" + i;
        client.pods().inNamespace(namespace).withName(name).delete();
        live.remove(namespace + "/" + name);
        deleted.add(namespace + "/" + name);
    }

    /** Waits until this many pods have been created: a fault is injected at such a point of the churn. */
    void awaitCreated(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (created < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || finished.isDone()) {
                    finished.join();
                    throw new AssertionError("only " + created + " of " + count + " pods created within " + timeout);
                }
                progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    void awaitFinished(Duration timeout) throws Exception {
        finished.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    Set<String> live() {
        return Set.copyOf(live);
    }

    Set<String> deleted() {
        return Set.copyOf(deleted);
    }

    @Override
    public void close() {
        writers.shutdownNow();
    }
}
