package io.ovnk.ovsdb;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * An immutable row of a table. Values are held by column position, so a cached row costs an object header and
 * one array; reads never copy. Scalar columns hold their atom ({@code Long}, {@code Double}, {@code Boolean},
 * {@code String}, {@code UUID}); set columns (also the optional {@code {min:0,max:1}}) hold an immutable
 * {@code Set}; map columns an immutable {@code Map}. A column that was not selected holds null.
 */
public final class Row {

    private final TableSchema table;
    private final UUID uuid;
    private final Object[] values;

    /**
     * @param values by column position ({@link TableSchema#position}); copied
     */
    public Row(TableSchema table, UUID uuid, Object[] values) {
        if (values.length != table.columns().size()) {
            throw new IllegalArgumentException(table.name() + ": " + values.length + " values for "
                    + table.columns().size() + " columns");
        }
        this.table = table;
        this.uuid = uuid;
        this.values = values.clone();
    }

    private Row(TableSchema table, UUID uuid, Object[] values, boolean owned) {
        this.table = table;
        this.uuid = uuid;
        this.values = values;
    }

    /** A row from column names to values; unknown columns are an error naming them. */
    public static Row of(TableSchema table, UUID uuid, Map<String, ?> values) {
        Object[] array = new Object[table.columns().size()];
        values.forEach((column, value) -> array[position(table, column)] = value);
        return new Row(table, uuid, array, true);
    }

    public TableSchema table() {
        return table;
    }

    public UUID uuid() {
        return uuid;
    }

    /** The value, or null if the column was not selected. */
    public Object get(String column) {
        return values[position(table, column)];
    }

    /** The value at a column position ({@link TableSchema#position}). */
    public Object get(int position) {
        return values[position];
    }

    public String string(String column) {
        return typed(column, String.class);
    }

    public long integer(String column) {
        return typed(column, Long.class);
    }

    public double real(String column) {
        return typed(column, Double.class);
    }

    public boolean bool(String column) {
        return typed(column, Boolean.class);
    }

    public UUID reference(String column) {
        return typed(column, UUID.class);
    }

    @SuppressWarnings("unchecked")
    public <T> Set<T> set(String column) {
        return typed(column, Set.class);
    }

    @SuppressWarnings("unchecked")
    public <K, V> Map<K, V> map(String column) {
        return typed(column, Map.class);
    }

    /** An optional column ({@code {min:0,max:1}}): its element, if it has one. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> optional(String column) {
        Set<T> set = typed(column, Set.class);
        return set.isEmpty() ? Optional.empty() : Optional.of(set.iterator().next());
    }

    /** The same row with one column changed. */
    public Row with(String column, Object value) {
        Object[] changed = values.clone();
        changed[position(table, column)] = value;
        return new Row(table, uuid, changed, true);
    }

    /** The same row with the value at a position changed (the cache applies updates this way). */
    public Row with(int position, Object value) {
        Object[] changed = values.clone();
        changed[position] = value;
        return new Row(table, uuid, changed, true);
    }

    private <T> T typed(String column, Class<T> type) {
        Object value = values[position(table, column)];
        if (!type.isInstance(value)) {
            throw new IllegalStateException(table.name() + " row " + uuid + ": column " + column + " holds "
                    + (value == null ? "nothing (not selected)" : "a " + value.getClass().getSimpleName())
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(value);
    }

    private static int position(TableSchema table, String column) {
        int position = table.position(column);
        if (position < 0) {
            throw new SchemaViolationException(table.name(), column, null, "no such column");
        }
        return position;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Row row && row.table == table && row.uuid.equals(uuid)
                && Arrays.equals(row.values, values);
    }

    @Override
    public int hashCode() {
        return uuid.hashCode() * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(table.name()).append(' ').append(uuid).append(" {");
        String separator = "";
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                text.append(separator).append(table.columns().get(i).name()).append('=').append(values[i]);
                separator = ", ";
            }
        }
        return text.append('}').toString();
    }
}
