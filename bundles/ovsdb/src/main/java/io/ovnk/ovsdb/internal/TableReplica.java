package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.CachedTable;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.SchemaViolationException;
import io.ovnk.ovsdb.TableMonitor;
import io.ovnk.ovsdb.TableSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One replicated table: rows by UUID, the schema's unique indexes and the client's indexes, all kept in step by
 * {@link #put} and {@link #remove}, which only the cache's worker calls.
 */
final class TableReplica implements CachedTable {

    private final TableSchema schema;
    private final TableMonitor monitor;
    private final Map<UUID, Row> rows = new ConcurrentHashMap<>();
    /** Schema indexes by their column list; keys are the columns' values. */
    private final Map<List<String>, Map<List<Object>, UUID>> unique = new ConcurrentHashMap<>();
    private final Map<String, Map<Object, Set<UUID>>> clientIndexes = new ConcurrentHashMap<>();

    TableReplica(TableSchema schema, TableMonitor monitor) {
        this.schema = schema;
        this.monitor = monitor;
        List<String> monitored = monitoredColumns();
        for (List<String> index : schema.indexes()) {
            if (monitored.containsAll(index)) {
                unique.put(index, new ConcurrentHashMap<>());
            }
        }
        monitor.indexes().keySet().forEach(name -> clientIndexes.put(name, new ConcurrentHashMap<>()));
    }

    TableMonitor monitor() {
        return monitor;
    }

    /** The columns this replica holds: those the monitor names, or all. */
    List<String> monitoredColumns() {
        if (!monitor.columns().isEmpty()) {
            return monitor.columns();
        }
        List<String> all = new ArrayList<>();
        schema.columns().forEach(column -> all.add(column.name()));
        return all;
    }

    /** Stores a row (new or changed); returns the row it replaces, or null. */
    Row put(Row row) {
        Row old = rows.put(row.uuid(), row);
        if (old != null) {
            unindex(old);
        }
        index(row);
        return old;
    }

    Row remove(UUID uuid) {
        Row old = rows.remove(uuid);
        if (old != null) {
            unindex(old);
        }
        return old;
    }

    Set<UUID> uuids() {
        return Set.copyOf(rows.keySet());
    }

    private void index(Row row) {
        unique.forEach((columns, map) -> map.put(key(row, columns), row.uuid()));
        monitor.indexes().forEach((name, function) -> {
            Object key = safely(function, row);
            if (key != null) {
                clientIndexes.get(name).computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(row.uuid());
            }
        });
    }

    private void unindex(Row row) {
        unique.forEach((columns, map) -> map.remove(key(row, columns), row.uuid()));
        monitor.indexes().forEach((name, function) -> {
            Object key = safely(function, row);
            if (key != null) {
                clientIndexes.get(name).computeIfPresent(key, (k, set) -> {
                    set.remove(row.uuid());
                    return set.isEmpty() ? null : set;
                });
            }
        });
    }

    private static Object safely(Function<Row, Object> function, Row row) {
        try {
            return function.apply(row);
        } catch (RuntimeException e) {
            return null; // an index function that fails for a row does not index it
        }
    }

    private static List<Object> key(Row row, List<String> columns) {
        List<Object> key = new ArrayList<>(columns.size());
        for (String column : columns) {
            key.add(row.get(column));
        }
        return key;
    }

    @Override
    public String name() {
        return schema.name();
    }

    @Override
    public TableSchema schema() {
        return schema;
    }

    @Override
    public Optional<Row> get(UUID uuid) {
        return Optional.ofNullable(rows.get(uuid));
    }

    @Override
    public Collection<Row> rows() {
        return Collections.unmodifiableCollection(rows.values());
    }

    @Override
    public int size() {
        return rows.size();
    }

    @Override
    public Optional<Row> lookup(List<String> indexColumns, List<Object> values) {
        Map<List<Object>, UUID> index = unique.get(indexColumns);
        if (index == null) {
            throw new SchemaViolationException(schema.name(), String.join(",", indexColumns), null,
                    "not a unique index of the table (or not all its columns are monitored)");
        }
        List<Object> key = new ArrayList<>(values.size());
        values.forEach(value -> key.add(Values.normalize(value)));
        UUID uuid = index.get(key);
        return uuid == null ? Optional.empty() : Optional.ofNullable(rows.get(uuid));
    }

    @Override
    public Optional<Row> lookup(String indexColumn, Object value) {
        return lookup(List.of(indexColumn), List.of(value));
    }

    @Override
    public List<Row> byIndex(String index, Object key) {
        Map<Object, Set<UUID>> map = clientIndexes.get(index);
        if (map == null) {
            throw new IllegalArgumentException(schema.name() + ": no client index \"" + index + "\" (known: "
                    + clientIndexes.keySet() + ")");
        }
        Set<UUID> uuids = map.get(key);
        if (uuids == null) {
            return List.of();
        }
        List<Row> found = new ArrayList<>(uuids.size());
        for (UUID uuid : uuids) {
            Row row = rows.get(uuid);
            if (row != null) {
                found.add(row);
            }
        }
        return found;
    }

    @Override
    public List<Row> find(Predicate<Row> condition) {
        List<Row> found = new ArrayList<>();
        for (Row row : rows.values()) {
            if (condition.test(row)) {
                found.add(row);
            }
        }
        return found;
    }
}
