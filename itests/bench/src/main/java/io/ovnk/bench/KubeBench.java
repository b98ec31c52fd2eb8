package io.ovnk.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ovnk.kube.ResourceHandler;
import io.ovnk.kube.internal.InformerHub;
import io.ovnk.kube.internal.QueueDriver;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The informers and work queues against fabric8's mock API server holding 10,000 pods: time from informer start
 * until every handler has seen every pod, beside what the mock server alone takes to answer the same list and
 * what the fabric8 client takes to list and decode it; and events per second through a queue to a no-op handler.
 */
public final class KubeBench {

    private static final int REPEATS = 7;
    private static final int HANDLERS = 3;

    private KubeBench() {
    }

    /** Counts adds and opens a latch when it has seen them all. */
    static final class Counting implements ResourceHandler<Pod> {
        final CountDownLatch all;

        Counting(int expected) {
            all = new CountDownLatch(expected);
        }

        @Override
        public Class<Pod> resourceType() {
            return Pod.class;
        }

        @Override
        public void added(Pod pod) {
            all.countDown();
        }

        @Override
        public void deleted(Pod pod) {
            // not part of this benchmark
        }

        void await() {
            try {
                if (!all.await(10, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("a handler saw " + all.getCount() + " pods too few");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        MockServerLogs.quiet();
        int pods = Integer.getInteger("bench.pods", 10_000);
        List<String> lines = new ArrayList<>();
        lines.add(Report.heading("Kubernetes informer benchmark"));
        lines.add("");
        List<String> queueLines = new ArrayList<>();
        queueThroughput(queueLines); // first: the mock server below leaves threads behind that would share the CPU
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient client = server.createClient()) {
            long populating = System.nanoTime();
            populate(client, pods);
            System.out.printf(Locale.ROOT, "created %d pods in %.1f s%n", pods, (System.nanoTime() - populating) / 1e9);
            long[] raw = new long[REPEATS];
            long[] listed = new long[REPEATS];
            long[] informed = new long[REPEATS];
            long[] bare = new long[REPEATS];
            HttpClient http = HttpClient.newHttpClient();
            List<AutoCloseable> open = new ArrayList<>();
            HttpRequest list = HttpRequest.newBuilder(URI.create(server.url("/api/v1/pods"))).build();
            for (int round = -2; round < REPEATS; round++) { // two warm-up rounds
                settle();
                long start = System.nanoTime();
                byte[] body = http.send(list, HttpResponse.BodyHandlers.ofByteArray()).body();
                long rawNanos = System.nanoTime() - start;
                if (body.length < pods * 50) {
                    throw new IllegalStateException("the raw list returned " + body.length + " bytes");
                }
                settle();
                start = System.nanoTime();
                int count = client.pods().inAnyNamespace().list().getItems().size();
                long listNanos = System.nanoTime() - start;
                if (count != pods) {
                    throw new IllegalStateException("listed " + count);
                }
                // each round's informers stay open until the end: closing a watch makes this mock server block its
                // event loop for 30 s on the next write to it, which would land in a later round's figures
                KubernetesClient own = server.createClient();
                open.add(own);
                settle();
                long informNanos = informAll(own, pods, open);
                KubernetesClient another = server.createClient();
                open.add(another);
                settle();
                start = System.nanoTime();
                io.fabric8.kubernetes.client.informers.SharedIndexInformer<Pod> informer =
                        another.pods().inAnyNamespace().runnableInformer(0);
                open.add(informer);
                CountDownLatch delivered = new CountDownLatch(pods);
                informer.addEventHandler(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<Pod>() {
                    @Override
                    public void onAdd(Pod pod) {
                        delivered.countDown();
                    }

                    @Override
                    public void onUpdate(Pod before, Pod after) {
                    }

                    @Override
                    public void onDelete(Pod pod, boolean unknown) {
                    }
                });
                informer.start().toCompletableFuture().join();
                if (!delivered.await(10, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the bare informer delivered too few adds");
                }
                long bareNanos = System.nanoTime() - start;
                if (informer.getStore().list().size() != pods) {
                    throw new IllegalStateException("the bare informer holds " + informer.getStore().list().size());
                }
                System.out.printf(Locale.ROOT, "round %d: raw %.0f ms, list %.0f ms, bare informer %.0f ms, ovnk %.0f ms%n",
                        round, rawNanos / 1e6, listNanos / 1e6, bareNanos / 1e6, informNanos / 1e6);
                if (round >= 0) {
                    raw[round] = rawNanos;
                    listed[round] = listNanos;
                    informed[round] = informNanos;
                    bare[round] = bareNanos;
                }
            }
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
            Arrays.sort(raw);
            Arrays.sort(listed);
            Arrays.sort(informed);
            Arrays.sort(bare);
            double bareMs = bare[REPEATS / 2] / 1e6;
            double rawMs = raw[REPEATS / 2] / 1e6;
            double listMs = listed[REPEATS / 2] / 1e6;
            double informMs = informed[REPEATS / 2] / 1e6;
            lines.add(String.format(Locale.ROOT, "%,d pods in fabric8's mock API server (CRUD mode), medians of %d after 2 "
                    + "warm-ups:", pods, REPEATS));
            lines.add("");
            lines.add("| what | time | share |");
            lines.add("|---|---|---|");
            lines.add(String.format(Locale.ROOT, "| the mock server alone: GET /api/v1/pods, body read as bytes | %.0f ms | "
                    + "%.0f %% of the informer time |", rawMs, 100 * rawMs / informMs));
            lines.add(String.format(Locale.ROOT, "| fabric8 list: the same request, decoded into %,d Pod objects | %.0f ms | "
                    + "%.0f %% |", pods, listMs, 100 * listMs / informMs));
            lines.add(String.format(Locale.ROOT, "| a bare fabric8 informer: start until one no-op event handler has seen "
                    + "every pod (its paged list, its cache, its event dispatch) | %.0f ms | %.0f %% |", bareMs, 100 * bareMs / informMs));
            lines.add(String.format(Locale.ROOT, "| ovnk: informer start until %d handlers have each seen every pod "
                    + "(2 workers each) | %.0f ms | 100 %% |", HANDLERS, informMs));
            lines.add("");
            lines.add(String.format(Locale.ROOT, "So %.0f %% of the time to a full view is the mock server's, %.0f %% "
                    + "fabric8's decoding, %.0f %% the rest of fabric8's informer and its event dispatch, and %.0f %% "
                    + "ovnk's fan-out to %d work queues and their %,d handler calls.", 100 * rawMs / informMs, 100 * Math.max(0, listMs - rawMs) / informMs,
                    100 * Math.max(0, bareMs - listMs) / informMs, 100 * Math.max(0, informMs - bareMs) / informMs,
                    HANDLERS, HANDLERS * pods));
            lines.add("");
        } finally {
            try {
                server.destroy();
            } catch (IllegalStateException e) {
                System.err.println("the mock server did not stop cleanly: " + e.getMessage());
            }
        }
        lines.addAll(queueLines);
        Report.publish(lines);
    }

    /** A collection before each timed step, so that none lands inside one: a measurement, not a synchronisation. */
    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
    }

    private static void populate(KubernetesClient client, int pods) {
        List<CompletableFuture<Void>> creating = new ArrayList<>();
        for (int batch = 0; batch < 8; batch++) {
            int first = batch;
            creating.add(CompletableFuture.runAsync(() -> {
                for (int i = first; i < pods; i += 8) {
                    client.pods().inNamespace("ns" + (i % 50)).resource(pod(i)).create();
                }
            }));
        }
        creating.forEach(CompletableFuture::join);
    }

    private static Pod pod(int i) {
        return new PodBuilder().withNewMetadata().withNamespace("ns" + (i % 50)).withName("pod-" + i)
                .withUid("uid-" + i).addToLabels("app", "bench").addToAnnotations("k8s.ovn.org/pod-networks",
                        "{\"default\":{\"ip_addresses\":[\"10.128." + (i / 250) + "." + (i % 250 + 3) + "/23\"],"
                                + "\"mac_address\":\"0a:58:0a:80:00:03\"}}").endMetadata()
                .withNewSpec().withNodeName("node-" + (i % 100)).addNewContainer().withName("c").withImage("pause")
                .endContainer().endSpec().build();
    }

    private static long informAll(KubernetesClient client, int pods, List<AutoCloseable> open) {
        List<Counting> handlers = new ArrayList<>();
        long start = System.nanoTime();
        InformerHub hub = new InformerHub(client, InformerHub.Settings.defaults());
        open.add(hub);
        for (int h = 0; h < HANDLERS; h++) {
            Counting handler = new Counting(pods);
            handlers.add(handler);
            hub.addHandler(handler, "bench-" + h, 2);
        }
        handlers.forEach(Counting::await);
        return System.nanoTime() - start;
    }

    private static void queueThroughput(List<String> lines) throws InterruptedException {
        int events = 500_000;
        List<Pod> objects = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            objects.add(new PodBuilder().withNewMetadata().withNamespace("ns").withName("p" + i).withUid("u" + i)
                    .endMetadata().build());
        }
        lines.add(String.format(Locale.ROOT, "Events through one handler's work queue to a no-op handler (%,d distinct "
                + "objects offered as fast as one thread can, until the handler has seen the last), median of %d after "
                + "2 warm-ups:", events, REPEATS));
        lines.add("");
        lines.add("| workers | events/s |");
        lines.add("|---|---|");
        for (int workers : new int[] { 1, 2, 4 }) {
            long[] nanos = new long[REPEATS];
            for (int round = -2; round < REPEATS; round++) {
                Counting handler = new Counting(events);
                settle();
                long elapsed = QueueDriver.offerAll(handler, workers, objects, handler::await);
                if (round >= 0) {
                    nanos[round] = elapsed;
                }
            }
            Arrays.sort(nanos);
            lines.add(String.format(Locale.ROOT, "| %d | %,.0f |", workers, events / (nanos[REPEATS / 2] / 1e9)));
        }
    }
}
