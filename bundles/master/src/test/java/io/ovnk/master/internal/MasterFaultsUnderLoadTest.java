package io.ovnk.master.internal;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.ovnstack.RaftCluster;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults under load: while pods are created and deleted through the API (1,000 creations over the three tests, a
 * quarter of them deleted again while others come), the NB ovsdb-server and then the SB one are killed (-9) and
 * restarted on the same file and port, the RAFT Northbound's leader is killed, and the API endpoint is restarted.
 * After each fault a probe pod measures the recovery (fault to the probe's address annotated and its logical port
 * written, and bound in the Southbound after an SB fault); once the churn ends every live pod has exactly one port
 * with its annotated, unique address, no address leaked and no stale port remains.
 */
@RequiresOvn
class MasterFaultsUnderLoadTest {

    private static final int NODES = 5;
    private static final Duration CONVERGE = Duration.ofMinutes(2);

    private MasterHarness harness;
    private PodChurn churn;

    private void start(MasterHarness started, int creations) throws Exception {
        harness = started;
        harness.nb.monitor(TableMonitor.of("Logical_Switch_Port").columns("name", "external_ids", "addresses"))
                .get(30, TimeUnit.SECONDS);
        if (harness.sb != null) {
            harness.sb.monitor(TableMonitor.of("Port_Binding").columns("logical_port")).get(30, TimeUnit.SECONDS);
        }
        for (int n = 0; n < NODES; n++) {
            harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-" + n).endMetadata()
                    .build()).create();
        }
        churn = new PodChurn(harness.kube, "pod", creations, NODES);
    }

    @AfterEach
    void stop() {
        if (churn != null) {
            churn.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void northboundThenSouthboundKilledUnderChurnRecoverWithoutDuplicatesOrLeaks() throws Exception {
        start(new MasterHarness(), 400);
        MasterHarness.Term term = harness.term(8).started();
        Set<String> probes = new HashSet<>();
        churn.start();

        churn.awaitCreated(130, CONVERGE);
        long killed = System.nanoTime();
        harness.stack.kill(harness.stack.northbound());
        harness.stack.restart(harness.stack.northbound());
        probe("probe-nb", false, probes);
        report("NB ovsdb-server killed (-9) and restarted", killed);

        churn.awaitCreated(270, CONVERGE);
        killed = System.nanoTime();
        harness.stack.kill(harness.stack.southbound());
        harness.stack.restart(harness.stack.southbound());
        probe("probe-sb", true, probes);
        report("SB ovsdb-server killed (-9) and restarted", killed);

        convergeAndVerify(term, probes);
    }

    @Test
    void raftNorthboundLeaderKilledUnderChurnRecoversWithoutDuplicatesOrLeaks() throws Exception {
        start(MasterHarness.onRaftNorthbound(), 300);
        MasterHarness.Term term = harness.term(8).started();
        Set<String> probes = new HashSet<>();
        churn.start();

        churn.awaitCreated(100, CONVERGE);
        RaftCluster raft = harness.stack.raft();
        RaftCluster.Member leader = raft.awaitLeader(Duration.ofSeconds(30));
        long killed = System.nanoTime();
        raft.kill(leader);
        probe("probe-raft", false, probes);
        report("RAFT NB leader killed (-9)", killed);
        assertNotEquals(leader.index(), raft.awaitLeader(Duration.ofSeconds(30)).index(), "another member leads");
        raft.restart(leader); // it rejoins as a follower while the churn goes on

        convergeAndVerify(term, probes);
    }

    @Test
    void apiEndpointRestartedUnderChurnInformersRecoverAndConverge() throws Exception {
        start(new MasterHarness(), 300);
        MasterHarness.Term term = harness.term(8).started();
        Set<String> probes = new HashSet<>();
        churn.start();

        churn.awaitCreated(100, CONVERGE);
        churn.pause(); // nobody writes while the endpoint is down; what the master had in flight fails
        long stopped = System.nanoTime();
        try {
            harness.restartApi();
        } finally {
            churn.resume();
        }
        probe("probe-api", false, probes);
        report("Kubernetes API endpoint restarted", stopped);

        convergeAndVerify(term, probes);
    }

    /**
     * Creates a pod after the fault and waits until it is annotated and has its logical port (and, with
     * {@code southbound}, its Port_Binding from ovn-northd): the master serves again, through its own backlog.
     */
    private void probe(String name, boolean southbound, Set<String> probes) {
        harness.kube.pods().inNamespace("faults").resource(new PodBuilder().withNewMetadata().withNamespace("faults")
                .withName(name).endMetadata().withNewSpec().withNodeName("node-0").addNewContainer().withName("c")
                .withImage("pause").endContainer().endSpec().build()).create();
        probes.add("faults/" + name);
        harness.kube.pods().inNamespace("faults").withName(name).waitUntilCondition(p -> p != null
                && p.getMetadata().getAnnotations() != null
                && p.getMetadata().getAnnotations().containsKey(OvnAnnotations.POD_NETWORKS), 2, TimeUnit.MINUTES);
        // ovn-nbctl/ovn-sbctl wait-until: the databases themselves, not a client cache that may still reconnect
        harness.stack.nbctl("--timeout=120", "wait-until", "Logical_Switch_Port", "faults_" + name);
        if (southbound) {
            harness.stack.sbctl("--timeout=120", "wait-until", "Port_Binding", "faults_" + name);
        }
    }

    private static void report(String fault, long since) {
        System.out.printf("FAULT %s: recovered (probe pod annotated and ported) %d ms after the fault%n", fault,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
    }

    private void convergeAndVerify(MasterHarness.Term term, Set<String> probes) throws Exception {
        churn.awaitFinished(CONVERGE);
        long ended = System.nanoTime();
        Set<String> live = new HashSet<>(churn.live());
        live.addAll(probes);
        assertTrue(churn.deleted().size() >= churn.creations() / 5, "the churn deleted pods too: " + churn.deleted().size());
        Convergence convergence = new Convergence(harness);
        convergence.await(live, CONVERGE);
        System.out.printf("FAULT churn of %d creations (%d deleted): converged %d ms after the last API call%n",
                churn.creations(), churn.deleted().size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended));
        convergence.verify(term, live);
    }
}
