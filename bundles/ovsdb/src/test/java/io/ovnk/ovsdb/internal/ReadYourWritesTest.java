package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.TableMonitor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A completed transaction is in the client's own cache: ovsdb-server sends a transaction's update before its
 * reply, and the client applies the update before it completes the transaction. Without that, a caller that reads
 * its cache right after a write (the master removing a pod's port just after it made it) misses its own row and
 * leaves it behind for good.
 */
@RequiresOvn
class ReadYourWritesTest {

    @Test
    void aCompletedTransactionIsInTheCacheAtOnce() throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly();
                OvsdbClient client = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound",
                        stack.northbound().unixRemote()))) {
            client.monitor(TableMonitor.of("Logical_Switch").columns("name")).get(10, TimeUnit.SECONDS);
            for (int round = 0; round < 300; round++) {
                String name = "ryw-" + round;
                client.transact(Operation.insert("Logical_Switch").set("name", name)).get(10, TimeUnit.SECONDS);
                assertTrue(cached(client, name),
                        "round " + round + ": the inserted switch is in the cache when the transaction completes");
                client.transact(Operation.delete("Logical_Switch").where(Condition.equal("name", name)))
                        .get(10, TimeUnit.SECONDS);
                assertFalse(cached(client, name),
                        "round " + round + ": the deleted switch is gone from the cache when the transaction completes");
            }
        }
    }

    private static boolean cached(OvsdbClient client, String name) {
        return client.cache().table("Logical_Switch").rows().stream().anyMatch(row -> name.equals(row.string("name")));
    }
}
