package io.ovnk.gateway.internal;

import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbException;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TransactionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gateway's access to the Northbound on the shared client. The master monitors the switch, router and load
 * balancer tables on that client, and a table can be in one monitor only, so the gateway keeps no monitor at all:
 * it reads with {@code select} operations, several in one transaction (one consistent snapshot, one round trip),
 * and writes in transactions whose results are always checked. Inserts of unindexed names are guarded by a
 * {@code wait}, so a read that is out of date can fail a transaction (to be retried) but never duplicate a row.
 */
final class Northbound {

    private final OvsdbClient client;
    private final Duration timeout;

    Northbound(OvsdbClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    OvsdbClient client() {
        return client;
    }

    /** The rows of each select, in order, read in one transaction. */
    List<List<Row>> select(List<Operation> selects) {
        TransactionResult result = commit(selects);
        List<List<Row>> rows = new ArrayList<>();
        for (int i = 0; i < selects.size(); i++) {
            rows.add(result.rows(i));
        }
        return rows;
    }

    static Operation select(String table, Condition... where) {
        return Operation.select(table).where(where);
    }

    static Operation named(String table, String name) {
        return Operation.select(table).where(Condition.equal("name", name));
    }

    /** Commits the operations as one transaction; an OvsdbException or a timeout is thrown for the caller to retry. */
    TransactionResult commit(List<Operation> operations) {
        if (operations.isEmpty()) {
            return new TransactionResult(List.of());
        }
        try {
            return client.transact(operations, timeout).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof OvsdbException ovsdb) {
                throw ovsdb;
            }
            throw new IllegalStateException("Northbound transaction failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Northbound transaction: no answer within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while committing to the Northbound", e);
        }
    }

    /** Fails the transaction if a row of that name exists (for tables whose names the schema does not keep unique). */
    static Operation noneNamed(String table, String name) {
        return Operation.waitUntil(table).where(Condition.equal("name", name)).timeout(0)
                .untilEqual(List.of("name"), List.of());
    }

    static Operation insert(String table, Map<String, Object> columns, String uuidName) {
        Operation.Insert insert = Operation.insert(table).withUuidName(uuidName);
        for (Map.Entry<String, Object> column : columns.entrySet()) {
            insert = insert.set(column.getKey(), column.getValue());
        }
        return insert;
    }

    /** An update of the columns of {@code desired} that differ from the row; empty when none does. */
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
}
