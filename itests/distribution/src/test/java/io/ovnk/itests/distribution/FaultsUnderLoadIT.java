package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ovnk.itests.distribution.Cluster.CniOutcome;
import io.ovnk.itests.distribution.Cluster.NodeAgent;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.ObjectMapper;

/**
 * Faults of ovnk's own processes, each a real {@code bin/ovnkube} killed with SIGKILL: the master killed and
 * restarted while pods churn, then a standby master taking over when the leader is killed; and a node agent killed
 * and restarted while its pods run and ping each other, with a pod deleted while it was down.
 */
@RequiresOvn
class FaultsUnderLoadIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofMinutes(2);
    private static final List<String> NODES = List.of("node-0", "node-1", "node-2");

    @TempDir
    Path dir;

    @Test
    void aMasterKilledAndRestartedThenALeaderKilledUnderChurnConvergeWithoutDuplicatesOrLeaks() throws Exception {
        try (Cluster cluster = new Cluster(dir, 0);
                OvsdbClient nb = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound",
                        cluster.stack.northbound().unixRemote()))) {
            nb.monitor(TableMonitor.of("Logical_Switch_Port").columns("name", "external_ids", "addresses"))
                    .get(30, TimeUnit.SECONDS);
            for (String node : NODES) {
                cluster.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build())
                        .create();
            }
            // lease 4 s, renew deadline 3 s, retry 1 s: a standby takes over within about 5 s of the leader's death
            Ovnkube first = cluster.startMaster("master-1", 4, 3, 1);
            first.awaitAnywhere("master-1 leads now", CONVERGE);
            Set<String> probes = new HashSet<>();
            try (ApiChurn churn = new ApiChurn(cluster.kube, "pod", 300, NODES).start()) {
                churn.awaitCreated(80, CONVERGE);
                long killed = System.nanoTime();
                first.kill();
                first.start("console");
                first.await("master-1 leads now", CONVERGE);
                System.out.printf("FAULT master killed (-9) and restarted: leads again %d ms after the kill%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
                probe(cluster, nb, "probe-restart", probes);
                report("master killed (-9) and restarted", killed);

                Ovnkube second = cluster.startMaster("master-2", 4, 3, 1);
                churn.awaitCreated(180, CONVERGE);
                killed = System.nanoTime();
                first.kill();
                second.awaitAnywhere("master-2 leads now", CONVERGE);
                System.out.printf("FAULT two masters, the leader killed (-9): the standby leads %d ms after the kill%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
                probe(cluster, nb, "probe-takeover", probes);
                report("two masters, the leader killed (-9): the standby took over", killed);

                churn.awaitFinished(CONVERGE);
                long ended = System.nanoTime();
                Set<String> live = new HashSet<>(churn.live());
                live.addAll(probes);
                assertTrue(churn.deleted().size() >= 50, "the churn deleted pods too: " + churn.deleted().size());
                awaitPorts(nb, live);
                System.out.printf("FAULT churn of 300 creations (%d deleted): converged %d ms after the last API call%n",
                        churn.deleted().size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended));
                verify(cluster, nb, live);
                assertEquals(live.size(), allocated(second), "the leader's allocator holds exactly the live pods' "
                        + "addresses: none leaked across the kills");
            }
        }
    }

    @Test
    void aNodeAgentKilledAndRestartedKeepsItsPodsConnectedAndCollectsAPodDeletedMeanwhile() throws Exception {
        try (Cluster cluster = new Cluster(dir, 1)) {
            cluster.startMaster("master-1", 4, 3, 1);
            NodeAgent node = cluster.startNode("node-a", 0, "node");
            awaitReady(cluster, node);
            Map<String, String> sandboxes = new HashMap<>();
            Map<String, io.ovnk.ovnstack.Pod> namespaces = new HashMap<>();
            Map<String, String> ips = new HashMap<>();
            for (String name : List.of("left", "right", "doomed")) {
                Pod pod = cluster.createPod("default", name, "node-a");
                io.ovnk.ovnstack.Pod ns = cluster.stack.createPod(name);
                String sandbox = sandbox();
                CniOutcome added = cluster.cni(node, "ADD", sandbox, netns(ns), "eth0", pod, null);
                assertEquals(0, added.exitCode(), "ADD " + name + ": " + added.stdout() + added.stderr());
                String cidr = JSON.readTree(added.stdout()).get("ips").get(0).get("address").asString();
                ips.put(name, cidr.substring(0, cidr.indexOf('/')));
                sandboxes.put(name, sandbox);
                namespaces.put(name, ns);
            }
            assertTrue(namespaces.get("left").ping(ips.get("right")), "left reaches right before the fault");

            // a continuous ping, 10 per second, from left to right across the agent's death and restart
            try (ContinuousPing ping = new ContinuousPing(namespaces.get("left"), ips.get("right"))) {
                ping.awaitReplies(5, Duration.ofSeconds(30));
                node.ovnkube().kill();
                long killed = System.nanoTime();
                // while the agent is down the pod "doomed" goes: kubelet's CNI DEL fails (no server), the runtime
                // keeps the sandbox for a later garbage collection
                cluster.kube.pods().inNamespace("default").withName("doomed").delete();
                CniOutcome del = cluster.cni(node, "DEL", sandboxes.get("doomed"), netns(namespaces.get("doomed")),
                        "eth0", null, null);
                assertNotEquals(0, del.exitCode(), "DEL cannot succeed while the agent is down: " + del.stdout());
                node.ovnkube().start();
                node.ovnkube().await("ovnk started in", Cluster.START);
                node.ovnkube().await("node node-a: overlay set-up complete", Cluster.START);
                System.out.printf("FAULT node agent killed (-9) and restarted: set up again %d ms after the kill%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
                String hostVeth = hostInterface(node, sandboxes.get("doomed"));

                // the runtime's garbage collection: only left and right are valid
                CniOutcome gc = cluster.exec(node, Map.of("CNI_COMMAND", "GC", "CNI_PATH", node.cniBin().toString()),
                        cluster.pluginConfig(node, "{\"cni.dev/valid-attachments\":[{\"containerID\":\""
                                + sandboxes.get("left") + "\",\"ifname\":\"eth0\"},{\"containerID\":\""
                                + sandboxes.get("right") + "\",\"ifname\":\"eth0\"}]}"));
                assertEquals(0, gc.exitCode(), "GC: " + gc.stdout() + gc.stderr());
                Map<String, Long> ifaceIds = ifaceIds(node);
                assertEquals(Set.of("default_left", "default_right"), ifaceIds.keySet(),
                        "the deleted pod's OVS port is collected, the running pods' stay");
                ifaceIds.forEach((id, count) -> assertEquals(1L, count, id + ": exactly one Interface"));
                assertTrue(!links(node).contains(hostVeth), "the deleted pod's host veth " + hostVeth + " is gone");
                assertTrue(namespaces.get("right").ping(ips.get("left")), "right reaches left after the restart");
                // and the ping goes on for 3 s more after the collection
                ping.awaitReplies(ping.replies() + 30, Duration.ofSeconds(30));
                ContinuousPing.Outcome outcome = ping.stop();
                System.out.printf("FAULT node agent killed (-9) and restarted: continuous ping %d sent, %d lost %s%n",
                        outcome.sent(), outcome.lost().size(), outcome.lost());
                assertTrue(outcome.sent() > 40, "the ping ran across the restart");
                assertEquals(List.of(), outcome.lost(), "no ping lost across the agent's death and restart");
            }
        }
    }

    private static void probe(Cluster cluster, OvsdbClient nb, String name, Set<String> probes) throws Exception {
        cluster.kube.pods().inNamespace("faults").resource(new PodBuilder().withNewMetadata().withNamespace("faults")
                .withName(name).endMetadata().withNewSpec().withNodeName(NODES.get(0)).addNewContainer().withName("c")
                .withImage("pause").endContainer().endSpec().build()).create();
        probes.add("faults/" + name);
        cluster.kube.pods().inNamespace("faults").withName(name).waitUntilCondition(p -> p != null
                && p.getMetadata().getAnnotations() != null
                && p.getMetadata().getAnnotations().containsKey("k8s.ovn.org/pod-networks"), 2, TimeUnit.MINUTES);
        nb.cache().await("Logical_Switch_Port", row -> ("faults_" + name).equals(row.string("name")), CONVERGE)
                .get(CONVERGE.toSeconds() + 5, TimeUnit.SECONDS);
    }

    private static void report(String fault, long since) {
        System.out.printf("FAULT %s: recovered (probe pod annotated and ported) %d ms after the kill%n", fault,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
    }

    private static List<Row> podPorts(OvsdbClient nb) {
        return nb.cache().table("Logical_Switch_Port").rows().stream()
                .filter(row -> "Pod".equals(row.<String, String>map("external_ids").get("k8s.ovn.org/owner-type")))
                .toList();
    }

    private static Set<String> owners(OvsdbClient nb) {
        return podPorts(nb).stream().map(row -> row.<String, String>map("external_ids").get("k8s.ovn.org/name"))
                .collect(Collectors.toSet());
    }

    private static void awaitPorts(OvsdbClient nb, Set<String> live) throws Exception {
        try {
            // checked after every change of the table, deletions included (the cache's await looks for a row
            // that matches, and a deletion is no row)
            java.util.concurrent.CompletableFuture<Void> converged = new java.util.concurrent.CompletableFuture<>();
            try (AutoCloseable listening = nb.cache().listen(changes -> {
                if (owners(nb).equals(live)) {
                    converged.complete(null);
                }
            }, "Logical_Switch_Port")) {
                if (owners(nb).equals(live)) {
                    converged.complete(null);
                }
                converged.get(CONVERGE.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            Set<String> missing = new TreeSet<>(live);
            missing.removeAll(owners(nb));
            Set<String> stale = new TreeSet<>(owners(nb));
            stale.removeAll(live);
            throw new AssertionError("no convergence: live pods without a port " + missing + ", ports of no live pod "
                    + stale, e);
        }
    }

    /** Exactly the live pods are annotated, with unique addresses, each with one port carrying its address. */
    private static void verify(Cluster cluster, OvsdbClient nb, Set<String> live) {
        Map<String, String> ipOf = new HashMap<>();
        for (Pod pod : cluster.kube.pods().inAnyNamespace().list().getItems()) {
            String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            assertTrue(annotations != null && annotations.containsKey("k8s.ovn.org/pod-networks"), key + " is annotated");
            String cidr = JSON.readTree(annotations.get("k8s.ovn.org/pod-networks")).get("default").get("ip_addresses")
                    .get(0).asString();
            ipOf.put(key, cidr.substring(0, cidr.indexOf('/')));
        }
        assertEquals(new TreeSet<>(live), new TreeSet<>(ipOf.keySet()), "the API holds exactly the live pods");
        assertEquals(ipOf.size(), new HashSet<>(ipOf.values()).size(), "every address is unique: " + ipOf);
        List<Row> ports = podPorts(nb);
        assertEquals(live.size(), ports.size(), "one port per live pod");
        for (Row port : ports) {
            String owner = port.<String, String>map("external_ids").get("k8s.ovn.org/name");
            String addresses = port.<String>set("addresses").iterator().next();
            assertTrue(addresses.endsWith(" " + ipOf.get(owner)), owner + ": port " + addresses + " and annotation "
                    + ipOf.get(owner) + " agree");
        }
    }

    /** The sum of allocated addresses over the node subnets, as {@code ovnk:subnets} shows it in the console. */
    private static int allocated(Ovnkube master) {
        master.console("ovnk:subnets");
        int sum = 0;
        for (String node : NODES) {
            Matcher row = master.await(Pattern.quote(node) + "\\s+\\S+/\\d+\\s+(\\d+)\\s+\\d+", CONVERGE);
            sum += Integer.parseInt(row.group(1));
        }
        return sum;
    }

    private static void awaitReady(Cluster cluster, NodeAgent node) {
        node.ovnkube().awaitAnywhere("CNI server: listening on", Cluster.START);
        node.ovnkube().awaitAnywhere("node " + node.name() + ": overlay set-up complete", Cluster.START);
    }

    /** iface-id of every pod Interface on the node's OVS, with how many Interfaces carry it. */
    private static Map<String, Long> ifaceIds(NodeAgent node) {
        return node.chassis().vsctl("--columns=external_ids", "--data=bare", "--no-headings", "find", "Interface",
                "external_ids:sandbox!=\"\"").lines().map(String::strip).filter(l -> !l.isEmpty())
                .map(line -> Pattern.compile("iface-id=(\\S+)").matcher(line))
                .filter(Matcher::find).collect(Collectors.groupingBy(m -> m.group(1), Collectors.counting()));
    }

    private static String hostInterface(NodeAgent node, String sandbox) {
        String name = node.chassis().vsctl("--columns=name", "--data=bare", "--no-headings", "find", "Interface",
                "external_ids:sandbox=" + sandbox).strip();
        assertTrue(!name.isEmpty(), "sandbox " + sandbox + " still has its OVS port before the garbage collection");
        return name;
    }

    private static String links(NodeAgent node) {
        return node.chassis().execInDatapathNamespace("ip", "-o", "link", "show");
    }

    private static String netns(io.ovnk.ovnstack.Pod pod) {
        return "/var/run/netns/" + pod.namespace();
    }

    private static String sandbox() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }
}
