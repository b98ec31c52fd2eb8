package io.ovnk.ovsdb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A table: its columns in a fixed order (rows store their values by position), its unique indexes, and whether
 * it is a root table (rows of a non-root table exist only while strongly referenced).
 */
public final class TableSchema {

    private final String name;
    private final List<ColumnSchema> columns;
    private final Map<String, Integer> positions;
    private final List<List<String>> indexes;
    private final boolean root;
    private final Optional<Integer> maxRows;

    public TableSchema(String name, List<ColumnSchema> columns, List<List<String>> indexes, boolean root,
            Optional<Integer> maxRows) {
        this.name = name;
        this.columns = List.copyOf(columns);
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < this.columns.size(); i++) {
            byName.put(this.columns.get(i).name(), i);
        }
        this.positions = Collections.unmodifiableMap(byName);
        List<List<String>> copied = new ArrayList<>();
        indexes.forEach(index -> copied.add(List.copyOf(index)));
        this.indexes = List.copyOf(copied);
        this.root = root;
        this.maxRows = maxRows;
    }

    public String name() {
        return name;
    }

    /** The user columns, without {@code _uuid} and {@code _version}. */
    public List<ColumnSchema> columns() {
        return columns;
    }

    public Optional<ColumnSchema> column(String column) {
        Integer position = positions.get(column);
        return position == null ? Optional.empty() : Optional.of(columns.get(position));
    }

    /** The column's position in rows, or -1. */
    public int position(String column) {
        return positions.getOrDefault(column, -1);
    }

    /** The column, or an exception naming table and column. */
    public ColumnSchema require(String column) {
        return column(column).orElseThrow(() -> new SchemaViolationException(name, column, null, "no such column"));
    }

    /** The unique indexes the schema declares (each a list of columns). */
    public List<List<String>> indexes() {
        return indexes;
    }

    public boolean isRoot() {
        return root;
    }

    public Optional<Integer> maxRows() {
        return maxRows;
    }

    /** Column names to types, for messages and tools. */
    public Map<String, ColumnType> types() {
        Map<String, ColumnType> types = new LinkedHashMap<>();
        columns.forEach(column -> types.put(column.name(), column.type()));
        return types;
    }

    @Override
    public String toString() {
        return "table " + name + " (" + columns.size() + " columns)";
    }
}
