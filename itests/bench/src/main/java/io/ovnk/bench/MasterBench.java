package io.ovnk.bench;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ovnk.ipam.internal.IpamAllocator;
import io.ovnk.kube.internal.ClientAnnotator;
import io.ovnk.kube.internal.InformerHub;
import io.ovnk.master.internal.MasterDriver;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.RowChange;
import io.ovnk.ovsdb.TableMonitor;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The master wiring 5,000 pods across 50 nodes (created while no master ran) against a real Northbound with
 * ovn-northd and fabric8's mock API server: time until every pod is annotated and has its port, beside the mock
 * server's own speed for the same annotation writes and the seed's way of wiring a pod (one ovn-nbctl process).
 */
public final class MasterBench {

    private static final String MOCK_THREADS = "mock API server (one event loop)";
    private static final String MASTER_THREADS = "ovnk master (controllers, IPAM, OVSDB client)";
    private static final String CLIENT_THREADS = "Kubernetes client (HTTP, watch decoding)";

    private MasterBench() {
    }

    public static void main(String[] args) throws Exception {
        MockServerLogs.quiet();
        int pods = Integer.getInteger("bench.masterPods", 5_000);
        int nodes = Integer.getInteger("bench.masterNodes", 50);
        int workers = Integer.getInteger("bench.podWorkers", 32);
        int nbctlPods = Integer.getInteger("bench.nbctlPods", 500);
        List<String> lines = new ArrayList<>();
        lines.add(Report.heading("Master benchmark"));
        lines.add("");
        List<AutoCloseable> open = new ArrayList<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (OvnStack stack = OvnStack.builder().southbound().start()) {
            KubernetesClient kube = fastClient(server);
            open.add(kube);
            OvsdbClient nb = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()));
            open.add(nb);
            nb.monitor(TableMonitor.of("Logical_Switch_Port").columns("name", "addresses", "external_ids")).get(30, TimeUnit.SECONDS);
            for (int n = 0; n < nodes; n++) {
                kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-" + n).endMetadata().build()).create();
            }
            IpamAllocator ipam = IpamAllocator.of(new String[] { "10.128.0.0/14/23" }, new String[] { "172.16.1.0/24" },
                    new String[] { "100.64.0.0/16" }, new String[0], new int[0]);

            // the informers outlive master terms, as the kube bundle's do in the product: a first term wires the
            // nodes and stops; the pods are created while no master runs; the measured term starts on them
            MasterProcess master = new MasterProcess(server, workers, open);
            try (MasterDriver nodesTerm = master.term(stack, ipam)) {
                nodesTerm.start().get(2, TimeUnit.MINUTES);
                awaitRows(nb, row -> row.string("name").startsWith("k8s-"), nodes).get(3, TimeUnit.MINUTES);
            }
            long creating = System.nanoTime();
            createPods(kube, pods, nodes);
            double createSeconds = (System.nanoTime() - creating) / 1e9;
            System.out.printf(Locale.ROOT, "created %d pods in %.1f s%n", pods, createSeconds);

            // the measured term: from its start until every pod has its port (written after its annotation)
            CompletableFuture<Void> allPorts = awaitRows(nb, MasterBench::isPodPort, pods);
            MasterDriver measured = master.term(stack, ipam);
            open.add(measured);
            CpuLedger cpu = CpuLedger.start(MasterBench::part, stack.daemons());
            long start = System.nanoTime();
            measured.start().get(5, TimeUnit.MINUTES);
            long started = System.nanoTime();
            allPorts.get(10, TimeUnit.MINUTES);
            long done = System.nanoTime();
            Map<String, Double> cpuSeconds = cpu.seconds();
            double seconds = (done - start) / 1e9;
            long transactions = measured.transactions();
            measured.close();
            checkAnnotationsMatchPorts(kube, nb, pods);

            // the mock server alone: the same annotation writes, straight from as many threads
            double mockSeconds = patchAll(fastClient(server), pods, workers, open);
            // the seed's way: one ovn-nbctl process per pod
            double nbctlSeconds = nbctlPerPod(stack, nbctlPods);
            double nbctlRate = nbctlPods / nbctlSeconds;

            // the master's own rate: every pod already annotated (no API write left to make), the Northbound lost
            double rebuildSeconds;
            long rebuildTransactions;
            try (OvnStack empty = OvnStack.builder().southbound().start()) {
                OvsdbClient emptyNb = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound",
                        empty.northbound().unixRemote()));
                open.add(emptyNb);
                emptyNb.monitor(TableMonitor.of("Logical_Switch_Port").columns("name", "external_ids"))
                        .get(30, TimeUnit.SECONDS);
                CompletableFuture<Void> rebuilt = awaitRows(emptyNb, MasterBench::isPodPort, pods);
                try (MasterDriver rebuild = master.term(empty, ipam)) {
                    long rebuildStart = System.nanoTime();
                    rebuild.start().get(5, TimeUnit.MINUTES);
                    rebuilt.get(10, TimeUnit.MINUTES);
                    rebuildSeconds = (System.nanoTime() - rebuildStart) / 1e9;
                    rebuildTransactions = rebuild.transactions();
                }
            }

            lines.add(String.format(Locale.ROOT, "%,d pods on %d nodes, created in the mock API server while no master "
                    + "ran (%.1f s); a master term started on them, %d pod workers:", pods, nodes, createSeconds, workers));
            lines.add("");
            lines.add("| what | time | pods/s |");
            lines.add("|---|---|---|");
            lines.add(String.format(Locale.ROOT, "| term start: topology, recovery, clean-up, controllers registered | "
                    + "%.0f ms | |", (started - start) / 1e6));
            lines.add(String.format(Locale.ROOT, "| ovnk master: every pod annotated and its port in the Northbound | "
                    + "%.2f s | %,.0f (target >= 1,000) |", seconds, pods / seconds));
            lines.add(String.format(Locale.ROOT, "| the mock API server alone: the same %,d annotation patches (one "
                    + "PATCH each, as the master sends) from %d threads | %.2f s | %,.0f |", pods, workers, mockSeconds,
                    pods / mockSeconds));
            lines.add(String.format(Locale.ROOT, "| ovnk master, pods already annotated, Northbound empty (database "
                    + "lost): every port rebuilt, no API write | %.2f s | %,.0f (target >= 1,000) |", rebuildSeconds,
                    pods / rebuildSeconds));
            lines.add(String.format(Locale.ROOT, "| the seed's way: one ovn-nbctl process per pod (lsp-add, addresses, "
                    + "port security; %d pods) | %.2f s | %,.0f |", nbctlPods, nbctlSeconds, nbctlRate));
            lines.add("");
            lines.add(String.format(Locale.ROOT, "Where the time of the measured term (%.2f s wall, %d cores) went, in "
                    + "CPU seconds:", seconds, Runtime.getRuntime().availableProcessors()));
            lines.add("");
            lines.add("| part | CPU s | share of the CPU used |");
            lines.add("|---|---|---|");
            double used = cpuSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
            cpuSeconds.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .forEach(part -> lines.add(String.format(Locale.ROOT, "| %s | %.2f | %.0f %% |", part.getKey(),
                            part.getValue(), 100 * part.getValue() / used)));
            lines.add("");
            int cores = Runtime.getRuntime().availableProcessors();
            double masterCpu = cpuSeconds.getOrDefault(MASTER_THREADS, 0.0);
            double apiSide = cpuSeconds.getOrDefault(MOCK_THREADS, 0.0) + cpuSeconds.getOrDefault(CLIENT_THREADS, 0.0);
            lines.add(String.format(Locale.ROOT, "The measured term used %.1f of the %.1f CPU seconds the machine had "
                    + "(%.0f %%). ovnk's own threads used %.2f s, %.2f ms per pod, which alone would allow %,.0f pods/s "
                    + "per core; the mock API server and the Kubernetes client used %.2f s (%.0f %% of what was used). "
                    + "With no API write to make, the master wires %,.0f pods/s; the mock server alone, with the machine "
                    + "to itself, manages %,.0f annotation writes/s.", used, seconds * cores,
                    100 * used / (seconds * cores), masterCpu, 1000 * masterCpu / pods, pods / masterCpu, apiSide,
                    100 * apiSide / used, pods / rebuildSeconds, pods / mockSeconds));
            lines.add("");
            lines.add(String.format(Locale.ROOT, "Northbound transactions per pod: %.2f (%,d for %,d pods; %.2f in the "
                    + "rebuild, topology and nodes included). The master wires pods %.0f x faster than one ovn-nbctl per "
                    + "pod.", transactions / (double) pods, transactions, pods, rebuildTransactions / (double) pods,
                    (pods / seconds) / nbctlRate));
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    // the rest still closes
                }
            }
            try {
                server.destroy();
            } catch (IllegalStateException e) {
                System.err.println("the mock server did not stop cleanly: " + e.getMessage());
            }
        }
        Report.publish(lines);
    }

    /** Which part of the run a thread of this JVM serves, from its name. */
    private static String part(String thread) {
        if (thread.startsWith("vert.x")) {
            return MOCK_THREADS;
        }
        if (thread.startsWith("ovnk-") || thread.startsWith("ovsdb-")) {
            return MASTER_THREADS;
        }
        if (thread.contains("HttpClient") || thread.contains("-pool-")) {
            return CLIENT_THREADS;
        }
        return "other threads of this JVM";
    }

    /**
     * A master process's lasting parts: its Kubernetes client and informers. Each term gets its own Northbound
     * connection, as a new leadership term does.
     */
    private static final class MasterProcess {
        final KubernetesClient client;
        final InformerHub hub;
        final int workers;
        final List<AutoCloseable> open;

        MasterProcess(KubernetesMockServer server, int workers, List<AutoCloseable> open) {
            this.client = fastClient(server);
            this.hub = new InformerHub(client, InformerHub.Settings.defaults()
                    .withRetry(Duration.ofMillis(20), Duration.ofSeconds(2)));
            this.workers = workers;
            this.open = open;
            open.add(client);
            open.add(hub);
        }

        MasterDriver term(OvnStack stack, IpamAllocator ipam) {
            OvsdbClient nb = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()));
            open.add(nb);
            return new MasterDriver(nb, ipam, hub, new ClientAnnotator(client), client,
                    new io.ovnk.overlay.internal.OverlayPortBinder(), workers);
        }
    }

    private static boolean isPodPort(Row row) {
        return "Pod".equals(row.<String, String>map("external_ids").get("k8s.ovn.org/owner-type"));
    }

    /**
     * Completes when {@code count} rows of Logical_Switch_Port match: counted per change rather than by scanning the
     * table on every update, which would cost the benchmark more than what it measures.
     */
    private static CompletableFuture<Void> awaitRows(OvsdbClient nb, Predicate<Row> which, int count) {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        Set<java.util.UUID> matching = ConcurrentHashMap.newKeySet();
        AutoCloseable[] registration = new AutoCloseable[1];
        registration[0] = nb.cache().listen(changes -> {
            for (RowChange change : changes) {
                if (change.current() != null && which.test(change.current())) {
                    matching.add(change.uuid());
                } else {
                    matching.remove(change.uuid());
                }
            }
            if (matching.size() >= count) {
                reached.complete(null);
            }
        }, "Logical_Switch_Port");
        nb.cache().read(cache -> {
            cache.table("Logical_Switch_Port").rows().stream().filter(which).forEach(row -> matching.add(row.uuid()));
            return null;
        });
        if (matching.size() >= count) {
            reached.complete(null);
        }
        return reached.whenComplete((done, failure) -> {
            try {
                registration[0].close();
            } catch (Exception e) {
                // a listener left registered only costs the benchmark a little
            }
        });
    }

    /** Every pod's annotation names the MAC and IP its port carries (checked after the clock stopped). */
    private static void checkAnnotationsMatchPorts(KubernetesClient kube, OvsdbClient nb, int pods) {
        Map<String, String> addresses = new HashMap<>();
        nb.cache().table("Logical_Switch_Port").rows().stream().filter(MasterBench::isPodPort)
                .forEach(row -> addresses.put(row.string("name"), row.<String>set("addresses").iterator().next()));
        int checked = 0;
        for (Pod pod : kube.pods().inAnyNamespace().list().getItems()) {
            String name = pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName();
            String annotation = pod.getMetadata().getAnnotations() == null ? null
                    : pod.getMetadata().getAnnotations().get("k8s.ovn.org/pod-networks");
            String[] port = addresses.getOrDefault(name, "").split(" ");
            if (annotation == null || port.length != 2 || !annotation.contains("\"" + port[0] + "\"")
                    || !annotation.contains("\"" + port[1] + "/")) {
                throw new IllegalStateException(name + ": annotation " + annotation + " does not match port addresses "
                        + addresses.get(name));
            }
            checked++;
        }
        if (checked != pods) {
            throw new IllegalStateException("checked " + checked + " pods, expected " + pods);
        }
    }

    /** The mock server's default client, with more connections at once (the default would throttle the run). */
    private static KubernetesClient fastClient(KubernetesMockServer server) {
        return server.createClient().adapt(KubernetesClient.class);
    }

    private static void createPods(KubernetesClient kube, int pods, int nodes) {
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int first = t;
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = first; i < pods; i += 16) {
                    kube.pods().inNamespace("ns" + (i % 20)).resource(new PodBuilder().withNewMetadata()
                            .withNamespace("ns" + (i % 20)).withName("pod-" + i).endMetadata().withNewSpec()
                            .withNodeName("node-" + (i % nodes)).addNewContainer().withName("c").withImage("pause")
                            .endContainer().endSpec().build()).create();
                }
            }));
        }
        writers.forEach(CompletableFuture::join);
    }

    private static double patchAll(KubernetesClient kube, int pods, int threads, List<AutoCloseable> open) {
        open.add(kube);
        // a Resource made from the object sends one PATCH; one made from a name alone reads the object first
        List<Pod> all = kube.pods().inAnyNamespace().list().getItems();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                writers.add(CompletableFuture.runAsync(() -> {
                    for (int i = first; i < all.size(); i += threads) {
                        Pod pod = all.get(i);
                        String body = "{\"metadata\":{\"resourceVersion\":\"" + pod.getMetadata().getResourceVersion()
                                + "\",\"annotations\":{\"bench\":\"" + i + "\"}}}";
                        kube.pods().resource(pod).patch(PatchContext.of(PatchType.JSON_MERGE), body);
                    }
                }, pool));
            }
            writers.forEach(CompletableFuture::join);
            return (System.nanoTime() - start) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }

    private static double nbctlPerPod(OvnStack stack, int pods) {
        stack.nbctl("ls-add", "seed-node");
        long start = System.nanoTime();
        for (int i = 0; i < pods; i++) {
            String mac = String.format(Locale.ROOT, "0a:58:0a:82:%02x:%02x", (i >> 8) & 255, i & 255);
            String ip = "10.130." + (i >> 8) + "." + (i & 255);
            stack.nbctl("lsp-add", "seed-node", "seed_pod-" + i, "--", "lsp-set-addresses", "seed_pod-" + i, mac + " " + ip,
                    "--", "lsp-set-port-security", "seed_pod-" + i, mac + " " + ip,
                    "--", "set", "logical_switch_port", "seed_pod-" + i, "external_ids:namespace=seed", "external_ids:pod=true");
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
