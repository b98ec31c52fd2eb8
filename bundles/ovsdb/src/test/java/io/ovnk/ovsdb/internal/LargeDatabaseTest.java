package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The initial sync of a large database over TCP while the server probes for inactivity: the client keeps the
 * connection alive while it receives and builds its cache (OpenStack's ovsdbapp is dropped mid-sync here and
 * re-syncs for ever).
 */
@RequiresOvn
class LargeDatabaseTest {

    static final int PORTS = 100_000;
    static final int PER_TRANSACTION = 1_000;

    @Test
    void aHundredThousandPortsSyncInOneConnectionDespiteA1SecondServerProbe() throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly()) {
            try (OvsdbClient writer = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound",
                    stack.northbound().unixRemote()))) {
                populate(writer, PORTS);
            }
            // a TCP remote whose inactivity probe is 1 s, a fifth of the default: the sync must outlast it
            int port = OvnStack.freePort();
            stack.nbctl("set-connection", "ptcp:" + port + ":127.0.0.1", "--", "set", "connection", ".",
                    "inactivity_probe=1000");
            long start = System.nanoTime();
            try (OvsdbClient reader = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound",
                    "tcp:127.0.0.1:" + port).withMaxBackoff(Duration.ofMillis(200)))) {
                reader.monitor(TableMonitor.of("Logical_Switch"), TableMonitor.of("Logical_Switch_Port"))
                        .get(120, TimeUnit.SECONDS);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(PORTS, reader.cache().table("Logical_Switch_Port").size());
                assertEquals(PORTS / PER_TRANSACTION, reader.cache().table("Logical_Switch").size());
                // still the same connection, well past two probe intervals of silence on our side
                reader.echo().get(10, TimeUnit.SECONDS);
                assertEquals(1, reader.connections(), "the server never dropped the connection");
                System.out.printf("initial sync of %d ports over TCP: %d ms%n", PORTS, millis);
            }
        }
    }

    /** Switches of PER_TRANSACTION ports each, one transaction per switch, pipelined. */
    static void populate(OvsdbClient client, int ports) throws Exception {
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (int s = 0; s < ports / PER_TRANSACTION; s++) {
            List<Operation> operations = new ArrayList<>();
            Set<Object> references = new HashSet<>();
            for (int p = 0; p < PER_TRANSACTION; p++) {
                String name = "p" + s + "-" + p;
                operations.add(Operation.insert("Logical_Switch_Port").set("name", name)
                        .set("addresses", Set.of("0a:58:0a:80:" + String.format("%02x:%02x", s % 256, p % 256) + " 10.128." + s % 256 + "." + p % 256))
                        .withUuidName("p" + p));
                references.add(NamedUuid.of("p" + p));
            }
            operations.add(Operation.insert("Logical_Switch").set("name", "s" + s).set("ports", references));
            pending.add(client.transact(operations, Duration.ofSeconds(60)));
        }
        for (CompletableFuture<?> future : pending) {
            future.get(120, TimeUnit.SECONDS);
        }
    }
}
