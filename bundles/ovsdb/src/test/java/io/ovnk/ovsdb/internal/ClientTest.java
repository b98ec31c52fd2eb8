package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.DeadlineExceededException;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OperationFailedException;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.OvsdbException;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.RowChange;
import io.ovnk.ovsdb.SchemaViolationException;
import io.ovnk.ovsdb.TableMonitor;
import io.ovnk.ovsdb.TableSchema;
import io.ovnk.ovsdb.TransactionResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The client against a real OVN_Northbound ovsdb-server. */
@RequiresOvn
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    OvnStack stack;
    OvsdbClient client;

    @BeforeAll
    void start() throws Exception {
        stack = OvnStack.northboundOnly();
        client = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().tcpRemote()));
        client.connected().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aMonitorRequestedWhileConnectingHasItsRowsWhenItCompletes() throws Exception {
        // monitor() right after connect() races the connection's set-up: a monitor added after the set-up has
        // listed the monitors to establish must still be established before its future completes
        for (int round = 0; round < 100; round++) {
            try (OvsdbClient fresh = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound",
                    stack.northbound().unixRemote()))) {
                fresh.monitor(io.ovnk.ovsdb.TableMonitor.of("NB_Global")).get(10, TimeUnit.SECONDS);
                assertEquals(1, fresh.cache().table("NB_Global").rows().size(), "round " + round);
            }
        }
    }

    @Test
    void closingRightAfterCancellingAMonitorThrowsNothingOnAnyThread() throws Exception {
        java.util.List<Throwable> uncaught = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        try {
            for (int round = 0; round < 20; round++) {
                OvsdbClient shortLived = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound",
                        stack.northbound().unixRemote()));
                AutoCloseable monitor = shortLived.monitor(io.ovnk.ovsdb.TableMonitor.of("Logical_Switch"))
                        .get(10, TimeUnit.SECONDS);
                monitor.close();
                shortLived.close();
            }
            // a client's threads end after close: join them so that anything they throw has been thrown
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().startsWith("ovsdb-") && !before.contains(thread)) {
                    thread.join(5_000);
                }
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        assertEquals(List.of(), uncaught, "nothing thrown on the clients' threads");
    }

    @Test
    void listsTheDatabasesAndKnowsTheSchema() throws Exception {
        assertTrue(client.listDatabases().get(5, TimeUnit.SECONDS).containsAll(List.of("OVN_Northbound", "_Server")));
        TableSchema ports = client.schema().require("Logical_Switch_Port");
        assertTrue(ports.column("addresses").orElseThrow().type().isSet());
        assertTrue(ports.column("external_ids").orElseThrow().type().isMap());
        assertTrue(ports.column("tag").orElseThrow().type().isOptional());
        assertEquals(List.of(List.of("name")), ports.indexes());
        assertEquals("OVN_Northbound", client.getSchema("OVN_Northbound").get(5, TimeUnit.SECONDS).name());
        assertEquals("_Server", client.getSchema("_Server").get(5, TimeUnit.SECONDS).name());
    }

    @Test
    void aTransactionInsertsWithNamedUuidsAndSelectsBack() throws Exception {
        Operation.Insert port = Operation.insert("Logical_Switch_Port").set("name", "tx-p1")
                .set("addresses", Set.of("0a:58:0a:80:00:05 10.128.0.5"))
                .set("external_ids", Map.of("namespace", "default", "pod", "true")).withUuidName("p1");
        Operation.Insert sw = Operation.insert("Logical_Switch").set("name", "tx-sw")
                .set("ports", Set.of(port.reference())).withUuidName("sw");
        TransactionResult result = client.transact(port, sw,
                Operation.select("Logical_Switch_Port").where(Condition.equal("name", "tx-p1")).columns("name", "external_ids"))
                .get(5, TimeUnit.SECONDS);
        UUID portUuid = result.uuid(0);
        Row selected = result.rows(2).get(0);
        assertEquals(portUuid, selected.uuid());
        assertEquals("default", selected.map("external_ids").get("namespace"));

        TransactionResult mutated = client.transact(Operation.mutate("Logical_Switch_Port")
                .where(Condition.uuid(portUuid))
                .mutation(Mutation.insert("external_ids", Map.of("owner", "ovnk")), Mutation.delete("external_ids", Set.of("pod"))),
                Operation.update("Logical_Switch_Port").where(Condition.equal("name", "tx-p1")).set("tag", 42),
                Operation.comment("ovnk test"),
                Operation.select("Logical_Switch_Port").where(Condition.uuid(portUuid)),
                Operation.commit(false))
                .get(5, TimeUnit.SECONDS);
        assertEquals(5, mutated.results().size());
        assertEquals(1, mutated.count(0));
        assertEquals(1, mutated.count(1));
        Row after = mutated.rows(3).get(0);
        assertEquals(Map.of("namespace", "default", "owner", "ovnk"), after.map("external_ids"));
        assertEquals(Set.of(42L), after.set("tag"));
        assertEquals(42L, (long) after.<Long>optional("tag").orElseThrow());
        assertEquals(1, client.transact(Operation.delete("Logical_Switch").where(Condition.equal("name", "tx-sw")))
                .get(5, TimeUnit.SECONDS).count(0));
    }

    @Test
    void operationErrorsAreTypedAndNameTheOperation() throws Exception {
        client.transact(Operation.insert("Logical_Switch").set("name", "dup-sw")).get(5, TimeUnit.SECONDS);
        // a unique index violation is found at commit: the index after the last operation (ports are not a root
        // table: they must be referenced by a switch, or the commit would simply drop them)
        Operation.Insert first = Operation.insert("Logical_Switch_Port").set("name", "dup").withUuidName("a");
        Operation.Insert second = Operation.insert("Logical_Switch_Port").set("name", "dup").withUuidName("b");
        OperationFailedException duplicate = failure(client.transact(first, second, Operation.insert("Logical_Switch")
                .set("name", "dup-holder").set("ports", Set.of(first.reference(), second.reference()))),
                OperationFailedException.class);
        assertEquals(3, duplicate.index());
        assertEquals("constraint violation", duplicate.error());

        OperationFailedException timedOut = failure(client.transact(Operation.waitUntil("Logical_Switch")
                .where(Condition.equal("name", "dup-sw")).timeout(0).untilEqual(List.of("name"), List.of())),
                OperationFailedException.class);
        assertEquals(0, timedOut.index());
        assertEquals("timed out", timedOut.error());

        OperationFailedException aborted = failure(client.transact(Operation.comment("x"), Operation.abort()),
                OperationFailedException.class);
        assertEquals(1, aborted.index());
        assertEquals("aborted", aborted.error());
    }

    @Test
    void whatDoesNotFitTheSchemaFailsBeforeAnythingIsSent() throws Exception {
        SchemaViolationException table = failure(client.transact(Operation.insert("Logical_Switchh")),
                SchemaViolationException.class);
        assertEquals("Logical_Switchh", table.table());
        SchemaViolationException column = failure(client.transact(
                Operation.insert("Logical_Switch_Port").set("name", "x").set("adresses", Set.of("a"))),
                SchemaViolationException.class);
        assertEquals("adresses", column.column());
        SchemaViolationException type = failure(client.transact(
                Operation.insert("Logical_Switch_Port").set("name", "x").set("tag", "seven")),
                SchemaViolationException.class);
        assertTrue(type.getMessage().contains("column tag"), type.getMessage());
        SchemaViolationException range = failure(client.transact(
                Operation.insert("Logical_Switch_Port").set("name", "x").set("tag", 5000)),
                SchemaViolationException.class);
        assertTrue(range.getMessage().contains("not within 1..4095"), range.getMessage());
        SchemaViolationException named = failure(client.transact(Operation.insert("Logical_Switch")
                .set("name", "x").set("ports", Set.of(io.ovnk.ovsdb.NamedUuid.of("nobody")))),
                SchemaViolationException.class);
        assertTrue(named.getMessage().contains("not the uuid-name of an earlier insert"), named.getMessage());
        // nothing reached the server
        assertTrue(client.transact(Operation.select("Logical_Switch_Port").where(Condition.equal("name", "x")))
                .get(5, TimeUnit.SECONDS).rows(0).isEmpty());
    }

    @Test
    void theCacheFollowsAnotherClientsChangesWithListenersIndexesAndWaits() throws Exception {
        client.monitor(TableMonitor.of("Logical_Switch"),
                TableMonitor.of("Logical_Switch_Port").mapKeyIndex("pod", "external_ids", "pod"))
                .get(10, TimeUnit.SECONDS);
        List<RowChange> heard = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> heardDelete = new CompletableFuture<>();
        try (AutoCloseable listening = client.cache().listen(changes -> {
            heard.addAll(changes);
            if (changes.stream().anyMatch(RowChange::isDelete)) {
                heardDelete.complete(null);
            }
        }, "Logical_Switch_Port")) {
            CompletableFuture<Row> installed = client.cache().await("Logical_Switch_Port",
                    row -> "up-port".equals(row.string("name")) && Boolean.TRUE.equals(row.optional("up").orElse(false)),
                    WAIT);
            assertFalse(installed.isDone());

            stack.nbctl("ls-add", "cache-sw", "--", "lsp-add", "cache-sw", "up-port", "--",
                    "set", "Logical_Switch_Port", "up-port", "external_ids:pod=web-1");
            Row port = client.cache().await("Logical_Switch_Port", row -> "up-port".equals(row.string("name")), WAIT)
                    .get(10, TimeUnit.SECONDS);
            assertEquals(port, client.cache().table("Logical_Switch_Port").lookup("name", "up-port").orElseThrow());
            assertEquals(List.of(port), client.cache().table("Logical_Switch_Port").byIndex("pod", "web-1"));
            Row sw = client.cache().table("Logical_Switch").find(row -> "cache-sw".equals(row.string("name"))).get(0);
            assertEquals(Set.of(port.uuid()), sw.set("ports"));

            stack.nbctl("set", "Logical_Switch_Port", "up-port", "up=true");
            assertEquals(port.uuid(), installed.get(10, TimeUnit.SECONDS).uuid());

            stack.nbctl("lsp-del", "up-port");
            client.cache().awaitNone("Logical_Switch_Port", row -> "up-port".equals(row.string("name")), WAIT)
                    .get(10, TimeUnit.SECONDS);
            assertTrue(client.cache().table("Logical_Switch_Port").byIndex("pod", "web-1").isEmpty());
            // listeners hear changes on their own thread, after the cache (and its waiters) applied them
            heardDelete.get(10, TimeUnit.SECONDS);
            assertTrue(heard.stream().anyMatch(RowChange::isInsert), heard.toString());
            assertTrue(heard.stream().anyMatch(RowChange::isDelete), heard.toString());
        }
    }

    @Test
    void anAwaitThatNeverMatchesFailsAtItsDeadline() throws Exception {
        client.monitor(TableMonitor.of("Address_Set")).get(10, TimeUnit.SECONDS);
        DeadlineExceededException e = failure(client.cache().await("Address_Set",
                row -> "never".equals(row.string("name")), Duration.ofMillis(200)), DeadlineExceededException.class);
        assertTrue(e.getMessage().contains("Address_Set"), e.getMessage());
    }

    static <T extends OvsdbException> T failure(CompletableFuture<?> future, Class<T> type) throws Exception {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | CompletionException e) {
            OvsdbException cause = OvsdbException.of(e);
            assertNotNull(cause, "not an OvsdbException: " + e.getCause());
            return assertInstanceOf(type, cause);
        }
        throw new AssertionError("expected " + type.getSimpleName() + ", but the future succeeded");
    }
}
