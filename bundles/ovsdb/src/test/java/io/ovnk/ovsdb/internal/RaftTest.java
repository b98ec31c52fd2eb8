package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.RaftCluster;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.ConnectionLostException;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbException;
import io.ovnk.ovsdb.Remote;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A three-member RAFT NB whose leader is killed during a stream of transactions. */
@RequiresOvn
class RaftTest {

    @Test
    void leaderOnlyFollowsTheNewLeaderAndEveryTransactionIsCommittedOnceOrFailedTyped() throws Exception {
        try (OvnStack stack = OvnStack.raftNorthbound()) {
            RaftCluster raft = stack.raft();
            RaftCluster.Member leader = raft.awaitLeader(Duration.ofSeconds(30));
            try (Client client = new Client(OvsdbClientConfig.of("OVN_Northbound", raft.remotes())
                    .withLeaderOnly(true).withRequestTimeout(Duration.ofSeconds(30)).withMaxBackoff(Duration.ofMillis(300)))) {
                client.monitor(TableMonitor.of("Logical_Switch")).get(30, TimeUnit.SECONDS);
                assertEquals(Remote.parse(leader.database().tcpRemote()), client.remote().orElseThrow(),
                        "leader-only connects to the leader");

                List<String> names = new ArrayList<>();
                List<CompletableFuture<?>> writes = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    if (i == 150) {
                        raft.kill(leader);
                    }
                    names.add("raft-" + i);
                    writes.add(client.transact(Operation.insert("Logical_Switch").set("name", names.get(i))));
                }
                Set<String> acknowledged = new HashSet<>();
                Set<String> unknown = new HashSet<>();
                for (int i = 0; i < writes.size(); i++) {
                    try {
                        writes.get(i).get(60, TimeUnit.SECONDS);
                        acknowledged.add(names.get(i));
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertTrue(OvsdbException.of(e) instanceof ConnectionLostException, names.get(i) + ": " + e);
                        unknown.add(names.get(i));
                    }
                }
                RaftCluster.Member next = raft.awaitLeader(Duration.ofSeconds(30));
                assertNotEquals(leader.index(), next.index());
                assertEquals(Remote.parse(next.database().tcpRemote()), client.remote().orElseThrow(),
                        "after the failover the client is on the new leader");

                List<Row> rows = client.transact(Operation.select("Logical_Switch")).get(30, TimeUnit.SECONDS).rows(0);
                Map<String, Integer> counts = new HashMap<>();
                rows.forEach(row -> counts.merge(row.string("name"), 1, Integer::sum));
                acknowledged.forEach(name -> assertEquals(1, counts.getOrDefault(name, 0), name));
                unknown.forEach(name -> assertTrue(counts.getOrDefault(name, 0) <= 1, name));
                assertTrue(acknowledged.size() >= 250, "acknowledged: " + acknowledged.size());

                client.cache().await("Logical_Switch", row -> "raft-399".equals(row.string("name")),
                        Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
                assertEquals(counts.size(), client.cache().table("Logical_Switch").size(), "the cache converged");
                assertEquals(1, client.fullLoads(), "the failover resumed from the last transaction id");
                assertTrue(client.resumes() >= 1, "resumed with monitor_cond_since");
            }
        }
    }
}
