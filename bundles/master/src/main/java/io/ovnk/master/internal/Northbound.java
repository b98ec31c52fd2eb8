package io.ovnk.master.internal;

import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbException;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import io.ovnk.ovsdb.TransactionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The master's view of the Northbound: the tables it works on, monitored into the client's cache and indexed by
 * name, and transactions whose results are always checked. Reads come from the cache; a read that is a little
 * behind is harmless because every write is guarded (unique names, {@code wait} before creating unindexed ones).
 */
final class Northbound implements AutoCloseable {

    static final String SWITCH = "Logical_Switch";
    static final String SWITCH_PORT = "Logical_Switch_Port";
    static final String ROUTER = "Logical_Router";
    static final String ROUTER_PORT = "Logical_Router_Port";
    static final String GATEWAY_CHASSIS = "Gateway_Chassis";
    static final String LOAD_BALANCER = "Load_Balancer";
    static final String LB_GROUP = "Load_Balancer_Group";

    private static final String BY_NAME = "name";

    private final OvsdbClient client;
    private final Duration timeout;
    private final AtomicLong commits = new AtomicLong();
    private AutoCloseable monitor;

    Northbound(OvsdbClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    OvsdbClient client() {
        return client;
    }

    /** Monitors the master's tables; completes when their rows are in the cache. */
    CompletableFuture<Void> start() {
        return client.monitor(
                TableMonitor.of(SWITCH).index(BY_NAME, row -> row.string("name")),
                TableMonitor.of(SWITCH_PORT),
                TableMonitor.of(ROUTER).index(BY_NAME, row -> row.string("name")),
                TableMonitor.of(ROUTER_PORT),
                TableMonitor.of(GATEWAY_CHASSIS),
                TableMonitor.of(LOAD_BALANCER).index(BY_NAME, row -> row.string("name")),
                TableMonitor.of(LB_GROUP))
                .thenAccept(handle -> monitor = handle);
    }

    @Override
    public void close() {
        if (monitor != null) {
            try {
                monitor.close();
            } catch (Exception e) {
                // the connection is going away with it
            }
        }
    }

    /** A row by name: the schema's index where the table has one, the client index otherwise. */
    Optional<Row> named(String table, String name) {
        return switch (table) {
            case SWITCH_PORT, ROUTER_PORT, GATEWAY_CHASSIS, LB_GROUP -> client.cache().table(table).lookup("name", name);
            default -> client.cache().table(table).byIndex(BY_NAME, name).stream().findFirst();
        };
    }

    Optional<Row> row(String table, java.util.UUID uuid) {
        return client.cache().table(table).get(uuid);
    }

    List<Row> rows(String table) {
        return List.copyOf(client.cache().table(table).rows());
    }

    /** Rows ovnk owns in a table, of one owner type. */
    List<Row> owned(String table, String type) {
        return client.cache().table(table).find(row -> OvnNames.ownedBy(row, type));
    }

    /**
     * Commits the operations as one transaction and waits for it; an OvsdbException (with the operation's
     * error and details) or a timeout is thrown, for the caller's work queue to retry.
     */
    TransactionResult commit(List<Operation> operations) {
        if (operations.isEmpty()) {
            return null;
        }
        commits.incrementAndGet();
        try {
            return client.transact(operations, timeout).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof OvsdbException ovsdb) {
                throw ovsdb;
            }
            throw new IllegalStateException("Northbound transaction failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Northbound transaction: no answer within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while committing to the Northbound", e);
        }
    }

    /** Transactions sent since this view was made (benchmarks report transactions per pod). */
    long commits() {
        return commits.get();
    }

    /** Guards an insert of a row whose name the schema does not keep unique: the transaction fails if one exists. */
    static Operation noneNamed(String table, String name) {
        return Operation.waitUntil(table).where(Condition.equal("name", name)).timeout(0)
                .untilEqual(List.of("name"), List.of());
    }

    /** An update setting the columns of {@code desired} that differ from the row; empty when none does. */
    static Optional<Operation> update(Row existing, Map<String, Object> desired) {
        Map<String, Object> changed = new HashMap<>();
        desired.forEach((column, value) -> {
            if (!Objects.equals(existing.get(column), value)) {
                changed.put(column, value);
            }
        });
        if (changed.isEmpty()) {
            return Optional.empty();
        }
        Operation.Update update = Operation.update(existing.table().name()).where(Condition.uuid(existing.uuid()));
        for (Map.Entry<String, Object> column : changed.entrySet()) {
            update = update.set(column.getKey(), column.getValue());
        }
        return Optional.of(update);
    }

    static Operation insert(String table, Map<String, Object> columns, String uuidName) {
        Operation.Insert insert = Operation.insert(table).withUuidName(uuidName);
        for (Map.Entry<String, Object> column : columns.entrySet()) {
            insert = insert.set(column.getKey(), column.getValue());
        }
        return insert;
    }

    static List<Operation> list(Operation... operations) {
        return new ArrayList<>(List.of(operations));
    }
}
