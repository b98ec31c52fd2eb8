package io.ovnk.itests.distribution;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.itests.distribution.Cluster.CniOutcome;
import io.ovnk.itests.distribution.Cluster.NodeAgent;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * CNI ADD and DEL latency from executing the shim to its result, over pods whose annotations are already present,
 * on one node of a real stack, beside the same plumbing done by hand (ip, ethtool, ovs-vsctl, waiting for
 * ovn-installed) in the same run. Run on demand: {@code mvn -pl itests/distribution -Pbench verify}.
 */
public final class CniBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CniBench() {
    }

    public static void main(String[] args) throws Exception {
        int pods = Integer.getInteger("bench.cniPods", 200);
        Path out = Path.of(System.getProperty("bench.out", "target/cni-bench.md"));
        Path dir = Files.createTempDirectory("ovnk-cni-bench");
        List<String> lines = new ArrayList<>();
        try (Cluster cluster = new Cluster(dir, 1)) {
            cluster.debug("io.ovnk.overlay.internal.OverlayPodPlumber");
            NodeAgent node = cluster.startNode("node-a", 0, "master, node");
            node.ovnkube().awaitAnywhere("node node-a: overlay set-up complete", Cluster.START);
            List<Pod> api = new ArrayList<>();
            for (int i = 0; i < pods; i++) {
                api.add(cluster.createPod("bench", "pod-" + i, "node-a"));
            }
            awaitAnnotated(cluster, pods);

            long[] add = new long[pods];
            long[] del = new long[pods];
            List<io.ovnk.ovnstack.Pod> namespaces = new ArrayList<>();
            List<String> sandboxes = new ArrayList<>();
            List<JsonNode> results = new ArrayList<>();
            for (int i = 0; i < pods; i++) {
                io.ovnk.ovnstack.Pod ns = cluster.stack.createPod("b" + i);
                namespaces.add(ns);
                String sandbox = (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
                sandboxes.add(sandbox);
                CniOutcome outcome = cluster.cni(node, "ADD", sandbox, "/var/run/netns/" + ns.namespace(), "eth0",
                        api.get(i), null);
                if (outcome.exitCode() != 0) {
                    throw new IllegalStateException("ADD of pod-" + i + " failed: " + outcome.stdout() + outcome.stderr());
                }
                add[i] = outcome.micros();
                results.add(JSON.readTree(outcome.stdout()));
            }
            for (int i = 0; i < pods; i++) {
                CniOutcome outcome = cluster.cni(node, "DEL", sandboxes.get(i), "/var/run/netns/"
                        + namespaces.get(i).namespace(), "eth0", api.get(i), null);
                if (outcome.exitCode() != 0) {
                    throw new IllegalStateException("DEL of pod-" + i + " failed: " + outcome.stdout() + outcome.stderr());
                }
                del[i] = outcome.micros();
            }
            // by hand, as the seed's scripts and an operator would: one process per step, the same pods, whose
            // logical ports are still in the Northbound (iface-id-ver must match the pod's UID, as ovnk's does)
            long[] manual = new long[pods];
            String chassisNs = node.chassis().namespace().orElseThrow();
            for (int i = 0; i < pods; i++) {
                JsonNode ip = results.get(i).get("ips").get(0);
                String mac = results.get(i).get("interfaces").get(1).get("mac").asString();
                String cidr = ip.get("address").asString();
                io.ovnk.ovnstack.Pod fresh = cluster.stack.createPod("m" + i);
                String host = "m" + i + "h";
                long start = System.nanoTime();
                cluster.commands().run("ip", "link", "add", host, "netns", chassisNs, "type", "veth", "peer", "name",
                        "eth0", "netns", fresh.namespace());
                fresh.exec("ip", "link", "set", "eth0", "address", mac, "mtu", "1400");
                fresh.exec("ip", "addr", "add", cidr, "dev", "eth0");
                fresh.exec("ip", "link", "set", "eth0", "up");
                fresh.exec("ip", "route", "add", "default", "via", ip.get("gateway").asString());
                fresh.exec("ethtool", "-K", "eth0", "tx", "off");
                node.chassis().execInDatapathNamespace("ip", "link", "set", host, "up");
                node.chassis().vsctl("add-port", "br-int", host, "--", "set", "Interface", host,
                        "external_ids:iface-id=bench_pod-" + i, "external_ids:iface-id-ver=" + api.get(i).getMetadata()
                                .getUid(), "external_ids:attached_mac=" + mac, "external_ids:ip_addresses=" + cidr);
                node.chassis().vsctl("wait-until", "Interface", host, "external_ids:ovn-installed=true");
                manual[i] = (System.nanoTime() - start) / 1000;
            }

            lines.add("# CNI benchmark, " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors()
                    + " cores, " + ManagementFactory.getRuntimeMXBean().getVmName() + " "
                    + ManagementFactory.getRuntimeMXBean().getVmVersion());
            lines.add("");
            lines.add(String.format(Locale.ROOT, "%d pods on one node (userspace datapath), annotations already "
                    + "present, one request at a time; latency from executing the shim to its exit:", pods));
            lines.add("");
            lines.add("| what | p50 | p90 | p99 | max |");
            lines.add("|---|---|---|---|---|");
            lines.add(row("CNI ADD (target p50 < 100 ms, p99 < 250 ms)", add));
            lines.add(row("CNI DEL", del));
            lines.add(row("by hand: ip + ethtool + ovs-vsctl add-port + ovs-vsctl wait-until ovn-installed", manual));
            lines.add("");
            lines.add(String.format(Locale.ROOT, "ADD p50 is %.2f x the by-hand p50.", percentile(add, 50)
                    / (double) percentile(manual, 50)));
            lines.add("");
            lines.addAll(whereTheTimeGoes(node.ovnkube().home().resolve("log/ovnk.log"), add));
        } finally {
            deleteTree(dir);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, lines);
        lines.forEach(System.out::println);
    }

    /** Medians of each part of an ADD, from the server's and the plumber's log lines beside the shim's own time. */
    private static List<String> whereTheTimeGoes(Path log, long[] add) throws java.io.IOException {
        java.util.regex.Pattern server = java.util.regex.Pattern.compile("CNI ADD pod bench/\\S+ .*: ok in (\\d+) ms");
        java.util.regex.Pattern plumb = java.util.regex.Pattern.compile("plumbed .* in ([\\d.]+) ms: pod side ([\\d.]+) "
                + "ms, port ([\\d.]+) ms, ovn-installed ([\\d.]+) ms");
        List<Double> serverMs = new ArrayList<>();
        List<double[]> plumbMs = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            java.util.regex.Matcher m = server.matcher(line);
            if (m.find()) {
                serverMs.add(Double.parseDouble(m.group(1)));
            }
            m = plumb.matcher(line);
            if (m.find()) {
                plumbMs.add(new double[] { Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                        Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)) });
            }
        }
        if (serverMs.size() < add.length || plumbMs.size() < add.length) {
            return List.of("(the log held " + serverMs.size() + " ADD and " + plumbMs.size() + " plumb lines for "
                    + add.length + " pods: no breakdown)");
        }
        double total = percentile(add, 50) / 1000.0;
        double inServer = median(serverMs);
        double inPlumb = median(plumbMs.stream().map(v -> v[0]).toList());
        List<String> out = new ArrayList<>();
        out.add("Where an ADD's time goes (medians of each part over the same pods; parts are medians, so they add up "
                + "only roughly):");
        out.add("");
        out.add("| part | ms |");
        out.add("|---|---|");
        out.add(String.format(Locale.ROOT, "| shim: exec, request over the unix socket, result (total %.1f minus the "
                + "server's) | %.1f |", total, total - inServer));
        out.add(String.format(Locale.ROOT, "| server: parse, pod and annotation from the informer cache, result | %.1f |",
                inServer - inPlumb));
        out.add(String.format(Locale.ROOT, "| plumber: veth and the pod's addresses and routes (one nsenter ip -batch, "
                + "ethtool) | %.1f |", median(plumbMs.stream().map(v -> v[1]).toList())));
        out.add(String.format(Locale.ROOT, "| plumber: the OVS port, one OVSDB transaction (host end up meanwhile) | %.1f |",
                median(plumbMs.stream().map(v -> v[2]).toList())));
        out.add(String.format(Locale.ROOT, "| plumber: ovn-controller binding the port until ovn-installed | %.1f |",
                median(plumbMs.stream().map(v -> v[3]).toList())));
        return out;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static void awaitAnnotated(Cluster cluster, int pods) throws InterruptedException {
        java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(pods);
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (var watch = cluster.kube.pods().inNamespace("bench").inform(new io.fabric8.kubernetes.client.informers
                .ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod pod) {
                count(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                count(after);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
            }

            private void count(Pod pod) {
                if (pod.getMetadata().getAnnotations() != null
                        && pod.getMetadata().getAnnotations().containsKey("k8s.ovn.org/pod-networks")
                        && seen.add(pod.getMetadata().getName())) {
                    all.countDown();
                }
            }
        })) {
            if (!all.await(5, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new IllegalStateException(all.getCount() + " pods never annotated");
            }
        }
    }

    private static String row(String what, long[] micros) {
        return String.format(Locale.ROOT, "| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms |", what,
                percentile(micros, 50) / 1000.0, percentile(micros, 90) / 1000.0, percentile(micros, 99) / 1000.0,
                percentile(micros, 100) / 1000.0);
    }

    private static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
