package io.ovnk.kube.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.kube.Leadership;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {

    private final MockApi api = new MockApi();

    @AfterEach
    void close() {
        api.close();
    }

    /** One candidate, as one process: its own client, and a queue of "lead <id>" / "lost <id>" events. */
    private static final class Candidate implements AutoCloseable {
        final String identity;
        final KubernetesClient client;
        final LeaderElection election;
        final BlockingQueue<String> events;

        Candidate(MockApi api, String identity, BlockingQueue<String> events) {
            this.identity = identity;
            this.client = api.newClient();
            this.events = events;
            this.election = new LeaderElection(client, new LeaderElection.Settings("ovn-kubernetes", "ovnkube-master",
                    identity, Duration.ofMillis(1500), Duration.ofMillis(1000), Duration.ofMillis(100)),
                    (Leadership leadership) -> events.add("lead " + leadership.identity()),
                    () -> events.add("lost " + identity));
        }

        @Override
        public void close() {
            election.close();
            client.close();
        }
    }

    @Test
    void exactlyOneLeadsAndTheOtherTakesOverWhenItStops() throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (Candidate a = new Candidate(api, "master-a", events); Candidate b = new Candidate(api, "master-b", events)) {
            a.election.start();
            b.election.start();
            String first = events.poll(10, TimeUnit.SECONDS);
            assertNotNull(first, "nobody became leader");
            assertTrue(first.startsWith("lead "), first);
            // both keep running for several retry periods: the other one must not lead meanwhile
            assertNull(events.poll(1000, TimeUnit.MILLISECONDS), "a second leader appeared");
            Lease lease = api.client.leases().inNamespace("ovn-kubernetes").withName("ovnkube-master").get();
            String leader = first.substring("lead ".length());
            assertEquals(leader, lease.getSpec().getHolderIdentity());

            Candidate stopping = leader.equals("master-a") ? a : b;
            String other = leader.equals("master-a") ? "master-b" : "master-a";
            long stoppedAt = System.nanoTime();
            stopping.close(); // releases the lease
            assertEquals("lost " + leader, events.poll(10, TimeUnit.SECONDS));
            assertEquals("lead " + other, events.poll(10, TimeUnit.SECONDS));
            long takeover = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
            assertTrue(takeover < 1500, "the lease was released, so the takeover did not wait out its 1.5 s: " + takeover
                    + " ms");
            assertEquals(other, api.client.leases().inNamespace("ovn-kubernetes").withName("ovnkube-master").get()
                    .getSpec().getHolderIdentity());
        }
    }

    @Test
    void impossibleTimingsAreRefusedNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LeaderElection.Settings(
                "ns", "lease", "me", Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains("lease.duration > renew.deadline > retry.period"), e.getMessage());
    }
}
