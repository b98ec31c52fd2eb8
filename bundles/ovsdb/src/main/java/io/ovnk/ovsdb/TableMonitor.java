package io.ovnk.ovsdb;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A table to replicate into the cache: which columns (none listed: all), which rows (no conditions: all, else
 * {@code monitor_cond} conditions), and client indexes to keep besides the schema's unique indexes.
 *
 * @param indexes by name: the key a row is found under (null: not indexed); keys need not be unique
 */
public record TableMonitor(String table, List<String> columns, List<Condition> where,
        Map<String, Function<Row, Object>> indexes, List<TableModel<?>> models) {

    public TableMonitor {
        columns = List.copyOf(columns);
        where = List.copyOf(where);
        indexes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(indexes));
        models = List.copyOf(models);
    }

    public static TableMonitor of(String table) {
        return new TableMonitor(table, List.of(), List.of(), Map.of(), List.of());
    }

    /** The model's table, all columns; the model is checked against the schema on every (re)connection. */
    public static TableMonitor of(TableModel<?> model) {
        return new TableMonitor(model.table(), List.of(), List.of(), Map.of(), List.of(model));
    }

    public TableMonitor columns(String... names) {
        return new TableMonitor(table, List.of(names), where, indexes, models);
    }

    public TableMonitor where(Condition... conditions) {
        return new TableMonitor(table, columns, List.of(conditions), indexes, models);
    }

    /** An index on any function of a row, e.g. {@code row -> row.map("external_ids").get("pod")}. */
    public TableMonitor index(String name, Function<Row, Object> key) {
        Map<String, Function<Row, Object>> more = new LinkedHashMap<>(indexes);
        more.put(name, key);
        return new TableMonitor(table, columns, where, more, models);
    }

    /** An index on one key of a map column, e.g. {@code mapKeyIndex("pod", "external_ids", "pod")}. */
    public TableMonitor mapKeyIndex(String name, String mapColumn, Object key) {
        return index(name, row -> {
            Object map = row.get(mapColumn);
            return map instanceof Map<?, ?> m ? m.get(key) : null;
        });
    }
}
