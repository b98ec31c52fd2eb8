package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.NotConnectedException;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OperationFailedException;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.SchemaViolationException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A client against a real OVN_Northbound server tells its metrics what happened, per database. */
@RequiresOvn
class OvsdbMetricsTest {

    static final String NB = "OVN_Northbound";

    @Test
    void transactionsErrorsAndReconnectsAreCountedPerDatabase() throws Exception {
        OvsdbMetrics metrics = new OvsdbMetrics();
        try (OvnStack stack = OvnStack.northboundOnly();
                Client client = new Client(OvsdbClientConfig.of(NB, stack.northbound().unixRemote())
                        .withMaxBackoff(Duration.ofMillis(300)), metrics)) {
            client.connected().get(10, TimeUnit.SECONDS);
            client.transact(Operation.insert("Logical_Switch").set("name", "m1")).get(10, TimeUnit.SECONDS);
            ClientTest.failure(client.transact(Operation.comment("x"), Operation.abort()), OperationFailedException.class);
            ClientTest.failure(client.transact(Operation.insert("No_Such_Table")), SchemaViolationException.class);
            assertEquals(1, metrics.transactions().count(NB, "ok"));
            assertEquals(2, metrics.transactions().count(NB, "error"));
            assertTrue(metrics.transactions().sum(NB, "ok") > 0, "a real transaction takes time");
            assertEquals(1, metrics.errors().value(NB, "operation_failed"));
            assertEquals(1, metrics.errors().value(NB, "schema_violation"));
            assertEquals(0, metrics.reconnects().value(NB));

            stack.kill(stack.northbound());
            ClientTest.failure(client.transact(List.of(Operation.insert("Logical_Switch").set("name", "late")),
                    Duration.ofMillis(300)), NotConnectedException.class);
            assertEquals(1, metrics.errors().value(NB, "not_connected"));
            CompletableFuture<?> patient = client.transact(List.of(Operation.insert("Logical_Switch").set("name", "m2")),
                    Duration.ofSeconds(20));
            stack.restart(stack.northbound());
            patient.get(20, TimeUnit.SECONDS);
            // the reconnection is counted before waiting requests are released on it
            assertEquals(1, metrics.reconnects().value(NB));
            assertEquals(2, metrics.transactions().count(NB, "ok"));
        }
    }
}
