package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.BaseType;
import io.ovnk.ovsdb.ColumnSchema;
import io.ovnk.ovsdb.ColumnType;
import io.ovnk.ovsdb.ProtocolException;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableSchema;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** Rows from the wire: whole rows, rows with default columns left out (update2), and update2 diffs. */
final class Rows {

    static final UUID ZERO = new UUID(0, 0);
    private static final BaseType UUID_TYPE = BaseType.of(AtomicType.UUID);

    private Rows() {
    }

    /** What a column holds when the server leaves it out of an update2 row: its type's default. */
    static Object defaultValue(ColumnType type) {
        if (type.isMap()) {
            return Map.of();
        }
        if (!type.isScalar()) {
            return Set.of();
        }
        return switch (type.key().type()) {
            case INTEGER -> 0L;
            case REAL -> 0.0;
            case BOOLEAN -> Boolean.FALSE;
            case STRING -> "";
            case UUID -> ZERO;
        };
    }

    /** Per position: the default of each column in {@code columns}, null for the others. */
    static Object[] defaults(TableSchema table, List<String> columns) {
        Object[] defaults = new Object[table.columns().size()];
        for (String column : columns) {
            int position = table.position(column);
            defaults[position] = defaultValue(table.columns().get(position).type());
        }
        return defaults;
    }

    /**
     * A row from a JSON object of columns; columns it does not name take {@code base[position]} (null: not
     * selected). {@code uuid} null means: read it from the row's {@code _uuid}.
     */
    static Row decode(TableSchema table, JsonNode json, UUID uuid, Object[] base) {
        if (json == null || !json.isObject()) {
            throw new ProtocolException(table.name() + ": a row is not a JSON object: " + Values.abbreviate(json));
        }
        Object[] values = base == null ? new Object[table.columns().size()] : base.clone();
        UUID id = uuid;
        for (Map.Entry<String, JsonNode> column : json.properties()) {
            String name = column.getKey();
            if (name.equals("_uuid")) {
                id = (UUID) Values.decodeAtom(column.getValue(), UUID_TYPE);
                continue;
            }
            if (name.equals("_version")) {
                continue;
            }
            int position = table.position(name);
            if (position < 0) {
                throw new ProtocolException(table.name() + ": the server sent column " + name
                        + ", which the schema does not have");
            }
            values[position] = Values.decode(column.getValue(), table.columns().get(position).type());
        }
        if (id == null) {
            throw new ProtocolException(table.name() + ": a row without _uuid");
        }
        return new Row(table, id, values);
    }

    static Row decode(TableSchema table, JsonNode json, UUID uuid) {
        return decode(table, json, uuid, null);
    }

    /**
     * Applies an update2 "modify" diff. A column that holds at most one element (scalar or optional, max 1)
     * takes the diff as its new value (ovsdb-server sends the new datum for those, e.g. {@code ["set", []]} when an
     * optional column is cleared); a set column takes the symmetric difference (elements present are removed,
     * absent ones added); a map column, per key: absent is added, equal is removed, different is replaced.
     */
    static Row applyDiff(Row old, JsonNode diff) {
        TableSchema table = old.table();
        if (diff == null || !diff.isObject()) {
            throw new ProtocolException(table.name() + ": a modify is not a JSON object: " + Values.abbreviate(diff));
        }
        Object[] values = new Object[table.columns().size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = old.get(i);
        }
        for (Map.Entry<String, JsonNode> column : diff.properties()) {
            int position = table.position(column.getKey());
            if (position < 0) {
                throw new ProtocolException(table.name() + ": the server modified column " + column.getKey()
                        + ", which the schema does not have");
            }
            ColumnSchema schema = table.columns().get(position);
            ColumnType type = schema.type();
            Object current = values[position];
            if (type.max() == 1) {
                values[position] = Values.decode(column.getValue(), type);
            } else if (type.isMap()) {
                Map<Object, Object> changes = Values.decodeMap(column.getValue(), type.key(), type.value());
                Map<Object, Object> result = new HashMap<>(current instanceof Map<?, ?> map ? map : Map.of());
                changes.forEach((key, value) -> {
                    Object existing = result.get(key);
                    if (existing == null) {
                        result.put(key, value);
                    } else if (existing.equals(value)) {
                        result.remove(key);
                    } else {
                        result.put(key, value);
                    }
                });
                values[position] = result.isEmpty() ? Map.of() : Map.copyOf(result);
            } else {
                Set<Object> changes = Values.decodeSet(column.getValue(), type.key());
                Set<Object> result = new HashSet<>(current instanceof Set<?> set ? set : Set.of());
                for (Object element : changes) {
                    if (!result.remove(element)) {
                        result.add(element);
                    }
                }
                values[position] = result.isEmpty() ? Set.of() : Set.copyOf(result);
            }
        }
        return new Row(table, old.uuid(), values);
    }
}
