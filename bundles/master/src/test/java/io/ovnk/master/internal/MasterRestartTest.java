package io.ovnk.master.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.ipam.SubnetUsage;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.PodNetworksAnnotation;
import io.ovnk.kube.internal.LeaderElection;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The master stopped while 500 pods are being created (and some deleted while no master runs), then a new one
 * takes over: every pod ends with exactly one port and one unique address, annotations written before the stop
 * are kept, no address leaks, stale ports are gone. The same with leadership moving between two candidates
 * through a real Lease election.
 */
@RequiresOvn
class MasterRestartTest {

    private static final int PODS = 500;
    private static final int NODES = 5;

    private MasterHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new MasterHarness();
        harness.nb.monitor(TableMonitor.of("Logical_Switch_Port").columns("name", "external_ids", "addresses"))
                .get(30, TimeUnit.SECONDS);
        for (int n = 0; n < NODES; n++) {
            harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-" + n).endMetadata().build())
                    .create();
        }
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private static Pod pod(int i) {
        return new PodBuilder().withNewMetadata().withNamespace("ns" + (i % 4)).withName("pod-" + i).endMetadata()
                .withNewSpec().withNodeName("node-" + (i % NODES)).addNewContainer().withName("c").withImage("pause")
                .endContainer().endSpec().build();
    }

    /** Creates the pods from 8 threads; the returned future completes when all exist. */
    private CompletableFuture<Void> createPods(KubernetesClient client, AtomicInteger created) {
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int first = t;
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = first; i < PODS; i += 8) {
                    client.pods().inNamespace("ns" + (i % 4)).resource(pod(i)).create();
                    created.incrementAndGet();
                }
            }));
        }
        return CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new));
    }

    private Map<String, String> annotations() {
        Map<String, String> byPod = new HashMap<>();
        for (Pod pod : harness.kube.pods().inAnyNamespace().list().getItems()) {
            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            if (annotations != null && annotations.containsKey(OvnAnnotations.POD_NETWORKS)) {
                byPod.put(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(),
                        annotations.get(OvnAnnotations.POD_NETWORKS));
            }
        }
        return byPod;
    }

    @Test
    void aMasterStoppedMidwayIsReplacedWithoutDuplicatesLeaksOrStalePorts() throws Exception {
        MasterHarness.Term first = harness.term(8).started();
        AtomicInteger created = new AtomicInteger();
        CompletableFuture<Void> creating = createPods(harness.kube, created);
        // stop the first master once a third of the pods have their port
        awaitPorts(PODS / 3);
        first.stop();
        Map<String, String> before = annotations();
        creating.get(2, TimeUnit.MINUTES);
        // while no master runs: some pods go away (their ports are stale now)
        List<String> deleted = new ArrayList<>();
        for (int i = 0; i < PODS; i += 25) {
            harness.kube.pods().inNamespace("ns" + (i % 4)).withName("pod-" + i).delete();
            deleted.add("ns" + (i % 4) + "/pod-" + i);
        }
        MasterHarness.Term second = harness.term(8).started();
        int live = PODS - deleted.size();
        awaitConverged(live, deleted);
        verify(second, live, deleted, before);
    }

    @Test
    void leadershipMovesBetweenTwoMastersAndTheNewLeaderConverges() throws Exception {
        AtomicReference<MasterHarness.Term> leading = new AtomicReference<>();
        CountDownLatch firstLeads = new CountDownLatch(1);
        CountDownLatch secondLeads = new CountDownLatch(1);
        List<LeaderElection> elections = new ArrayList<>();
        List<KubernetesClient> clients = new ArrayList<>();
        for (String identity : List.of("master-1", "master-2")) {
            KubernetesClient client = harness.server.createClient();
            clients.add(client);
            AtomicReference<MasterHarness.Term> mine = new AtomicReference<>();
            elections.add(new LeaderElection(client, new LeaderElection.Settings("ovn-kubernetes", "ovnkube-master",
                    identity, Duration.ofMillis(2000), Duration.ofMillis(1500), Duration.ofMillis(100)), leadership -> {
                        try {
                            MasterHarness.Term term = harness.term(8);
                            mine.set(term);
                            leading.set(term);
                            term.master.start();
                            (firstLeads.getCount() > 0 ? firstLeads : secondLeads).countDown();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, () -> {
                        MasterHarness.Term term = mine.getAndSet(null);
                        if (term != null) {
                            term.stop();
                        }
                    }));
        }
        try {
            elections.get(0).start();
            assertTrue(firstLeads.await(20, TimeUnit.SECONDS), "master-1 never led");
            elections.get(1).start();
            AtomicInteger created = new AtomicInteger();
            CompletableFuture<Void> creating = createPods(harness.kube, created);
            awaitPorts(PODS / 3);
            elections.get(0).close(); // master-1 steps down (releases the Lease); master-2 takes over
            assertTrue(secondLeads.await(20, TimeUnit.SECONDS), "master-2 never took over");
            creating.get(2, TimeUnit.MINUTES);
            awaitConverged(PODS, List.of());
            verify(leading.get(), PODS, List.of(), Map.of());
        } finally {
            elections.forEach(LeaderElection::close);
            clients.forEach(KubernetesClient::close);
        }
    }

    private void awaitPorts(int count) throws Exception {
        harness.nb.cache().await("Logical_Switch_Port", row -> countPodPorts() >= count, Duration.ofMinutes(2))
                .get(3, TimeUnit.MINUTES);
    }

    private int countPodPorts() {
        return (int) harness.nb.cache().table("Logical_Switch_Port").rows().stream()
                .filter(row -> OvnNames.ownedBy(row, OvnNames.TYPE_POD)).count();
    }

    /** Waits until the live pods are annotated and exactly they have ports. */
    private void awaitConverged(int live, List<String> deleted) throws Exception {
        Set<String> gone = new HashSet<>();
        deleted.forEach(key -> gone.add(key.replace('/', '_')));
        // the last change may be a stale port's removal, which the cache's await (a row that matches) never sees
        Convergence.awaitTable(harness.nb, "Logical_Switch_Port", () -> {
            List<Row> ports = harness.nb.cache().table("Logical_Switch_Port").rows().stream()
                    .filter(r -> OvnNames.ownedBy(r, OvnNames.TYPE_POD)).toList();
            return ports.size() == live && ports.stream().noneMatch(r -> gone.contains(r.string("name")));
        }, Duration.ofMinutes(3));
        for (Pod pod : harness.kube.pods().inAnyNamespace().list().getItems()) {
            harness.kube.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .waitUntilCondition(p -> p.getMetadata().getAnnotations() != null
                            && p.getMetadata().getAnnotations().containsKey(OvnAnnotations.POD_NETWORKS), 60, TimeUnit.SECONDS);
        }
    }

    private void verify(MasterHarness.Term term, int live, List<String> deleted, Map<String, String> before) {
        Map<String, String> after = annotations();
        assertEquals(live, after.size(), "every live pod is annotated");
        Set<String> addresses = new HashSet<>();
        for (Map.Entry<String, String> pod : after.entrySet()) {
            String ip = PodNetworksAnnotation.parse(pod.getValue()).defaultNetwork().ipAddresses().get(0).address().toString();
            assertTrue(addresses.add(ip), pod.getKey() + " has " + ip + ", which another pod has too");
            String earlier = before.get(pod.getKey());
            if (earlier != null) {
                assertEquals(earlier, pod.getValue(), pod.getKey() + ": its annotation changed across the restart");
            }
        }
        List<Row> ports = harness.nb.cache().table("Logical_Switch_Port").rows().stream()
                .filter(row -> OvnNames.ownedBy(row, OvnNames.TYPE_POD)).toList();
        assertEquals(live, ports.size());
        assertEquals(live, ports.stream().map(row -> row.string("name")).distinct().count(), "one port per pod");
        for (Row port : ports) {
            String key = OvnNames.owner(port);
            String ip = PodNetworksAnnotation.parse(after.get(key)).defaultNetwork().ipAddresses().get(0).address().toString();
            assertTrue(port.<String>set("addresses").iterator().next().endsWith(" " + ip), key + ": port and annotation agree");
        }
        int allocated = term.ipam.usage().stream().mapToInt(SubnetUsage::allocated).sum();
        assertEquals(live, allocated, "the allocator holds exactly the live pods' addresses: nothing leaked");
        deleted.forEach(key -> assertTrue(!after.containsKey(key)));
    }
}
