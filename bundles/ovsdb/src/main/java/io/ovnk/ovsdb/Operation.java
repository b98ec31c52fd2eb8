package io.ovnk.ovsdb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One operation of a transaction (RFC 7047 section 5.2). Built fluently and immutable:
 * <pre>
 * Operation.insert("Logical_Switch_Port").set("name", "web-1").withUuidName("port");
 * Operation.mutate("Logical_Switch").where(Condition.equal("name", "node1"))
 *          .mutation(Mutation.insert("ports", Set.of(NamedUuid.of("port"))));
 * </pre>
 * The client checks every operation against the schema before it sends the transaction.
 */
public sealed interface Operation {

    /** The name on the wire ("insert", "select", ...). */
    String op();

    static Insert insert(String table) {
        return new Insert(table, Map.of(), Optional.empty());
    }

    static Select select(String table) {
        return new Select(table, List.of(), Optional.empty());
    }

    static Update update(String table) {
        return new Update(table, List.of(), Map.of());
    }

    static Mutate mutate(String table) {
        return new Mutate(table, List.of(), List.of());
    }

    static Delete delete(String table) {
        return new Delete(table, List.of());
    }

    /** Waits until the rows the conditions select equal (or differ from) the given rows, or times out. */
    static Wait waitUntil(String table) {
        return new Wait(table, 0, List.of(), List.of(), true, List.of());
    }

    static Commit commit(boolean durable) {
        return new Commit(durable);
    }

    static Abort abort() {
        return new Abort();
    }

    static Comment comment(String comment) {
        return new Comment(comment);
    }

    /** Fails the transaction unless this client owns the lock. */
    static Assert assertLock(String lock) {
        return new Assert(lock);
    }

    /** Inserts a row; {@code uuidName} lets later operations of the transaction refer to it. */
    record Insert(String table, Map<String, Object> row, Optional<String> uuidName) implements Operation {
        public Insert {
            row = unmodifiable(row);
        }

        public Insert set(String column, Object value) {
            return new Insert(table, with(row, column, value), uuidName);
        }

        public Insert withUuidName(String name) {
            return new Insert(table, row, Optional.of(new NamedUuid(name).name()));
        }

        /** A reference to this row for later operations of the same transaction. */
        public NamedUuid reference() {
            return new NamedUuid(uuidName.orElseThrow(() -> new IllegalStateException(
                    "insert into " + table + " has no uuid-name: call withUuidName first")));
        }

        @Override
        public String op() {
            return "insert";
        }
    }

    /** Selects rows; no columns means all columns. */
    record Select(String table, List<Condition> where, Optional<List<String>> columns) implements Operation {
        public Select {
            where = List.copyOf(where);
        }

        public Select where(Condition... conditions) {
            return new Select(table, append(where, conditions), columns);
        }

        public Select columns(String... names) {
            return new Select(table, where, Optional.of(List.of(names)));
        }

        @Override
        public String op() {
            return "select";
        }
    }

    record Update(String table, List<Condition> where, Map<String, Object> row) implements Operation {
        public Update {
            where = List.copyOf(where);
            row = unmodifiable(row);
        }

        public Update where(Condition... conditions) {
            return new Update(table, append(where, conditions), row);
        }

        public Update set(String column, Object value) {
            return new Update(table, where, with(row, column, value));
        }

        @Override
        public String op() {
            return "update";
        }
    }

    record Mutate(String table, List<Condition> where, List<Mutation> mutations) implements Operation {
        public Mutate {
            where = List.copyOf(where);
            mutations = List.copyOf(mutations);
        }

        public Mutate where(Condition... conditions) {
            return new Mutate(table, append(where, conditions), mutations);
        }

        public Mutate mutation(Mutation... more) {
            return new Mutate(table, where, append(mutations, more));
        }

        @Override
        public String op() {
            return "mutate";
        }
    }

    record Delete(String table, List<Condition> where) implements Operation {
        public Delete {
            where = List.copyOf(where);
        }

        public Delete where(Condition... conditions) {
            return new Delete(table, append(where, conditions));
        }

        @Override
        public String op() {
            return "delete";
        }
    }

    /**
     * @param timeoutMillis how long the server waits (0: fail at once if not met)
     * @param equal true for {@code "until": "=="}, false for {@code "!="}
     * @param rows the expected rows, each a map of the listed columns
     */
    record Wait(String table, long timeoutMillis, List<Condition> where, List<String> columns, boolean equal,
            List<Map<String, Object>> rows) implements Operation {
        public Wait {
            where = List.copyOf(where);
            columns = List.copyOf(columns);
            List<Map<String, Object>> copied = new ArrayList<>();
            rows.forEach(r -> copied.add(unmodifiable(r)));
            rows = List.copyOf(copied);
        }

        public Wait where(Condition... conditions) {
            return new Wait(table, timeoutMillis, append(where, conditions), columns, equal, rows);
        }

        public Wait timeout(long millis) {
            return new Wait(table, millis, where, columns, equal, rows);
        }

        /** Until the selected rows, projected on {@code columns}, equal exactly {@code expected}. */
        public Wait untilEqual(List<String> columnNames, List<Map<String, Object>> expected) {
            return new Wait(table, timeoutMillis, where, columnNames, true, expected);
        }

        /** Until the selected rows, projected on {@code columns}, differ from {@code expected}. */
        public Wait untilNotEqual(List<String> columnNames, List<Map<String, Object>> expected) {
            return new Wait(table, timeoutMillis, where, columnNames, false, expected);
        }

        @Override
        public String op() {
            return "wait";
        }
    }

    record Commit(boolean durable) implements Operation {
        @Override
        public String op() {
            return "commit";
        }
    }

    record Abort() implements Operation {
        @Override
        public String op() {
            return "abort";
        }
    }

    record Comment(String comment) implements Operation {
        @Override
        public String op() {
            return "comment";
        }
    }

    record Assert(String lock) implements Operation {
        @Override
        public String op() {
            return "assert";
        }
    }

    private static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(map);
        copy.put(key, value);
        return copy;
    }

    private static Map<String, Object> unmodifiable(Map<String, Object> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    @SafeVarargs
    private static <T> List<T> append(List<T> list, T... more) {
        List<T> copy = new ArrayList<>(list);
        copy.addAll(List.of(more));
        return copy;
    }
}
