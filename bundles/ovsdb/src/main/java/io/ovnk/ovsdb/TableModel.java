package io.ovnk.ovsdb;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A typed view of a table: which database and table, the columns it reads (checked against the server's schema
 * whenever a monitor using it is established), and how it wraps a {@link Row}. Views wrap the cached row, they do
 * not copy it.
 */
@ConsumerType
public interface TableModel<T> {

    String database();

    String table();

    List<ColumnExpectation> columns();

    /** The typed view of a row of this table. */
    T view(Row row);

    /** What does not fit in {@code schema} (a missing table or column, another type), one sentence each. */
    default List<String> problems(DatabaseSchema schema) {
        List<String> problems = new ArrayList<>();
        if (!schema.name().equals(database())) {
            problems.add("the model is for " + database() + ", the connection serves " + schema.name());
            return problems;
        }
        TableSchema found = schema.tables().get(table());
        if (found == null) {
            problems.add(table() + ": no such table in " + schema.name() + " " + schema.version());
            return problems;
        }
        for (ColumnExpectation expected : columns()) {
            ColumnSchema column = found.column(expected.column()).orElse(null);
            if (column == null) {
                problems.add(table() + "." + expected.column() + ": no such column in " + schema.name() + " "
                        + schema.version());
            } else {
                String problem = expected.problem(column.type());
                if (problem != null) {
                    problems.add(table() + "." + expected.column() + " " + problem);
                }
            }
        }
        return problems;
    }

    static <T> TableModel<T> of(String database, String table, Function<Row, T> view, ColumnExpectation... columns) {
        List<ColumnExpectation> list = List.of(columns);
        return new TableModel<>() {
            @Override
            public String database() {
                return database;
            }

            @Override
            public String table() {
                return table;
            }

            @Override
            public List<ColumnExpectation> columns() {
                return list;
            }

            @Override
            public T view(Row row) {
                return view.apply(row);
            }

            @Override
            public String toString() {
                return "model of " + database + "." + table;
            }
        };
    }
}
