package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.ColumnSchema;
import io.ovnk.ovsdb.ColumnType;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.DatabaseSchema;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OperationFailedException;
import io.ovnk.ovsdb.OperationResult;
import io.ovnk.ovsdb.ProtocolException;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.SchemaViolationException;
import io.ovnk.ovsdb.TableSchema;
import io.ovnk.ovsdb.TransactionResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Transactions between the API and the wire: every operation is checked against the schema before anything is
 * sent (table, column, type, size, mutability, named UUIDs), encoded to the {@code transact} parameters, and its
 * reply decoded, with any operation error turned into an {@link OperationFailedException}.
 */
final class Transactions {

    private static final io.ovnk.ovsdb.BaseType UUID_TYPE = io.ovnk.ovsdb.BaseType.of(AtomicType.UUID);

    private Transactions() {
    }

    /** The {@code transact} params: {@code [database, op...]}; throws SchemaViolationException before sending. */
    static ArrayNode encode(DatabaseSchema schema, List<Operation> operations) {
        ArrayNode params = Values.NODES.arrayNode(operations.size() + 1);
        params.add(schema.name());
        Set<String> named = new HashSet<>();
        for (Operation operation : operations) {
            params.add(encode(schema, operation, named));
        }
        return params;
    }

    private static ObjectNode encode(DatabaseSchema schema, Operation operation, Set<String> named) {
        ObjectNode json = Values.NODES.objectNode();
        json.put("op", operation.op());
        if (operation instanceof Operation.Insert insert) {
            TableSchema table = schema.require(insert.table());
            json.put("table", table.name());
            json.set("row", row(table, insert.row(), named, false));
            if (insert.uuidName().isPresent()) {
                if (!named.add(insert.uuidName().get())) {
                    throw new SchemaViolationException(table.name(), null, insert.uuidName().get(),
                            "uuid-name is used by two inserts of this transaction");
                }
                json.put("uuid-name", insert.uuidName().get());
            }
        } else if (operation instanceof Operation.Select select) {
            TableSchema table = schema.require(select.table());
            json.put("table", table.name());
            json.set("where", where(table, select.where(), named));
            // rows come back with their UUID even when the caller names only some columns
            select.columns().ifPresent(columns -> json.set("columns", columns(table, withUuid(columns))));
        } else if (operation instanceof Operation.Update update) {
            TableSchema table = schema.require(update.table());
            json.put("table", table.name());
            json.set("where", where(table, update.where(), named));
            json.set("row", row(table, update.row(), named, true));
        } else if (operation instanceof Operation.Mutate mutate) {
            TableSchema table = schema.require(mutate.table());
            json.put("table", table.name());
            json.set("where", where(table, mutate.where(), named));
            ArrayNode mutations = json.putArray("mutations");
            for (Mutation mutation : mutate.mutations()) {
                mutations.add(mutation(table, mutation, named));
            }
        } else if (operation instanceof Operation.Delete delete) {
            TableSchema table = schema.require(delete.table());
            json.put("table", table.name());
            json.set("where", where(table, delete.where(), named));
        } else if (operation instanceof Operation.Wait wait) {
            TableSchema table = schema.require(wait.table());
            json.put("table", table.name());
            json.put("timeout", wait.timeoutMillis());
            json.set("where", where(table, wait.where(), named));
            json.set("columns", columns(table, wait.columns()));
            json.put("until", wait.equal() ? "==" : "!=");
            ArrayNode rows = json.putArray("rows");
            for (Map<String, Object> row : wait.rows()) {
                for (String column : row.keySet()) {
                    if (!wait.columns().contains(column)) {
                        throw new SchemaViolationException(table.name(), column, null,
                                "a wait row sets a column that is not among the wait's columns");
                    }
                }
                rows.add(row(table, row, named, false));
            }
        } else if (operation instanceof Operation.Commit commit) {
            json.put("durable", commit.durable());
        } else if (operation instanceof Operation.Comment comment) {
            json.put("comment", comment.comment());
        } else if (operation instanceof Operation.Assert assertion) {
            json.put("lock", assertion.lock());
        }
        // abort has nothing more
        return json;
    }

    private static ObjectNode row(TableSchema table, Map<String, Object> row, Set<String> named, boolean update) {
        ObjectNode json = Values.NODES.objectNode();
        for (Map.Entry<String, Object> entry : row.entrySet()) {
            ColumnSchema column = userColumn(table, entry.getKey());
            if (update && !column.mutable()) {
                throw new SchemaViolationException(table.name(), column.name(), null,
                        "the column is immutable: it can be set by insert only");
            }
            Object value = Values.normalize(entry.getValue());
            check(table, column.name(), column.type(), value, named, false);
            json.set(column.name(), Values.encode(value));
        }
        return json;
    }

    /** Monitor conditions: the where-clause encoding, checked the same way. */
    static ArrayNode conditions(TableSchema table, List<Condition> conditions) {
        return where(table, conditions, Set.of());
    }

    private static ArrayNode where(TableSchema table, List<Condition> conditions, Set<String> named) {
        ArrayNode json = Values.NODES.arrayNode(conditions.size());
        for (Condition condition : conditions) {
            Object value = Values.normalize(condition.value());
            ColumnType type = conditionType(table, condition.column());
            Condition.Function function = condition.function();
            boolean ordered = function != Condition.Function.EQUAL && function != Condition.Function.NOT_EQUAL
                    && function != Condition.Function.INCLUDES && function != Condition.Function.EXCLUDES;
            if (ordered && (type.isMap() || type.max() > 1 || (type.key().type() != AtomicType.INTEGER
                    && type.key().type() != AtomicType.REAL))) {
                throw new SchemaViolationException(table.name(), condition.column(), value,
                        "function " + function.wire() + " compares integers or reals only");
            }
            check(table, condition.column(), type, value, named, true);
            json.add(Values.NODES.arrayNode(3).add(condition.column()).add(function.wire()).add(Values.encode(value)));
        }
        return json;
    }

    private static JsonNode mutation(TableSchema table, Mutation mutation, Set<String> named) {
        ColumnSchema column = userColumn(table, mutation.column());
        ColumnType type = column.type();
        Object value = Values.normalize(mutation.value());
        if (!column.mutable()) {
            throw new SchemaViolationException(table.name(), column.name(), null, "the column is immutable");
        }
        switch (mutation.mutator()) {
            case INSERT -> {
                if (type.isScalar()) {
                    throw new SchemaViolationException(table.name(), column.name(), value,
                            "insert mutates sets and maps, the column holds one " + type.key().type().schemaName());
                }
                check(table, column.name(), type, value, named, true);
            }
            case DELETE -> {
                if (type.isScalar()) {
                    throw new SchemaViolationException(table.name(), column.name(), value,
                            "delete mutates sets and maps, the column holds one " + type.key().type().schemaName());
                }
                if (type.isMap() && value instanceof Collection<?> keys) {
                    // a map loses the given keys, whatever their values
                    ColumnType keysOnly = new ColumnType(type.key(), null, 0, Integer.MAX_VALUE);
                    check(table, column.name(), keysOnly, keys, named, true);
                } else {
                    check(table, column.name(), type, value, named, true);
                }
            }
            default -> {
                AtomicType atomic = type.key().type();
                if (type.isMap() || (atomic != AtomicType.INTEGER && atomic != AtomicType.REAL)
                        || (mutation.mutator() == Mutation.Mutator.MODULO && atomic != AtomicType.INTEGER)) {
                    throw new SchemaViolationException(table.name(), column.name(), value, "mutator "
                            + mutation.mutator().wire() + " does not apply to a " + describe(type) + " column");
                }
                ColumnType one = new ColumnType(type.key().withoutConstraints(), null, 1, 1);
                check(table, column.name(), one, value, named, false);
            }
        }
        return Values.NODES.arrayNode(3).add(column.name()).add(mutation.mutator().wire()).add(Values.encode(value));
    }

    private static List<String> withUuid(List<String> columns) {
        if (columns.contains("_uuid")) {
            return columns;
        }
        List<String> all = new ArrayList<>(columns);
        all.add("_uuid");
        return all;
    }

    private static ArrayNode columns(TableSchema table, List<String> columns) {
        ArrayNode json = Values.NODES.arrayNode(columns.size());
        for (String column : columns) {
            if (!column.equals("_uuid") && !column.equals("_version")) {
                table.require(column);
            }
            json.add(column);
        }
        return json;
    }

    private static ColumnSchema userColumn(TableSchema table, String name) {
        if (name.equals("_uuid") || name.equals("_version")) {
            throw new SchemaViolationException(table.name(), name, null, "the server sets this column");
        }
        return table.require(name);
    }

    private static ColumnType conditionType(TableSchema table, String column) {
        if (column.equals("_uuid") || column.equals("_version")) {
            return new ColumnType(io.ovnk.ovsdb.BaseType.of(AtomicType.UUID), null, 1, 1);
        }
        return table.require(column).type();
    }

    /**
     * Throws unless {@code value} is a valid value of {@code type}.
     *
     * @param anySize for conditions and mutations: a set or map of any size is fine
     */
    static void check(TableSchema table, String column, ColumnType type, Object value, Set<String> named,
            boolean anySize) {
        if (value == null) {
            throw new SchemaViolationException(table.name(), column, null, "null is not an OVSDB value");
        }
        if (type.isMap()) {
            if (!(value instanceof Map<?, ?> map)) {
                throw new SchemaViolationException(table.name(), column, value, "the column holds a map "
                        + describe(type) + ", not a " + value.getClass().getSimpleName());
            }
            size(table, column, type, map.size(), value, anySize);
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                atom(table, column, type.key(), entry.getKey(), named, "key");
                atom(table, column, type.value(), entry.getValue(), named, "value");
            }
            return;
        }
        if (value instanceof Map<?, ?>) {
            throw new SchemaViolationException(table.name(), column, value, "the column holds " + describe(type)
                    + ", not a map");
        }
        Collection<?> elements = value instanceof Collection<?> collection ? collection : List.of(value);
        size(table, column, type, elements.size(), value, anySize);
        for (Object element : elements) {
            atom(table, column, type.key(), element, named, "element");
        }
    }

    private static void size(TableSchema table, String column, ColumnType type, int size, Object value, boolean anySize) {
        if (!anySize && (size < type.min() || size > type.max())) {
            throw new SchemaViolationException(table.name(), column, value, "holds " + size
                    + (size == 1 ? " element" : " elements") + ", the column takes " + type.min() + ".."
                    + (type.max() == Integer.MAX_VALUE ? "unlimited" : type.max()));
        }
    }

    private static void atom(TableSchema table, String column, io.ovnk.ovsdb.BaseType base, Object atom,
            Set<String> named, String what) {
        String problem = base.problem(atom);
        if (problem != null) {
            throw new SchemaViolationException(table.name(), column, atom, what + " " + problem);
        }
        if (atom instanceof NamedUuid reference && !named.contains(reference.name())) {
            throw new SchemaViolationException(table.name(), column, reference.name(),
                    "named-uuid is not the uuid-name of an earlier insert of this transaction");
        }
    }

    private static String describe(ColumnType type) {
        if (type.isMap()) {
            return "{" + type.key().type().schemaName() + ": " + type.value().type().schemaName() + "}";
        }
        if (type.isScalar()) {
            return type.key().type().schemaName();
        }
        return "set of " + type.key().type().schemaName();
    }

    // ---- replies

    /**
     * Decodes the reply of {@code transact}: one result per operation, or the first error as an exception. A
     * reply with one element more than there were operations carries an error of the commit itself.
     */
    static TransactionResult decode(DatabaseSchema schema, List<Operation> operations, JsonNode reply) {
        if (reply == null || !reply.isArray()) {
            throw new ProtocolException("transact reply is not an array: " + Values.abbreviate(reply));
        }
        for (int i = 0; i < reply.size(); i++) {
            JsonNode result = reply.get(i);
            if (result != null && result.isObject() && result.has("error") && !result.get("error").isNull()) {
                Operation failed = i < operations.size() ? operations.get(i) : null;
                throw new OperationFailedException(i, failed == null ? null : describe(failed),
                        text(result.get("error")), text(result.path("details")));
            }
        }
        if (reply.size() < operations.size()) {
            throw new ProtocolException("transact reply has " + reply.size() + " results for " + operations.size()
                    + " operations");
        }
        List<OperationResult> results = new ArrayList<>(operations.size());
        for (int i = 0; i < operations.size(); i++) {
            results.add(result(schema, operations.get(i), reply.get(i)));
        }
        return new TransactionResult(results);
    }

    private static OperationResult result(DatabaseSchema schema, Operation operation, JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new ProtocolException("result of " + operation.op() + " is not an object: " + Values.abbreviate(json));
        }
        Optional<UUID> uuid = Optional.empty();
        if (json.has("uuid")) {
            uuid = Optional.of((UUID) Values.decodeAtom(json.get("uuid"), UUID_TYPE));
        } else if (operation instanceof Operation.Insert) {
            // RFC 7047 5.2.1: an insert's result is the new row's uuid; without it the caller cannot refer to the row
            throw new ProtocolException("result of insert has no uuid: " + Values.abbreviate(json));
        }
        OptionalLong count = OptionalLong.empty();
        if (json.has("count")) {
            JsonNode number = json.get("count");
            if (!number.isIntegralNumber() || !number.canConvertToLong() || number.longValue() < 0) {
                throw new ProtocolException("result of " + operation.op() + ": count " + Values.abbreviate(number)
                        + " is not a row count");
            }
            count = OptionalLong.of(number.longValue());
        }
        List<Row> rows = List.of();
        if (json.has("rows") && operation instanceof Operation.Select select) {
            if (!json.get("rows").isArray()) {
                throw new ProtocolException("result of select: rows " + Values.abbreviate(json.get("rows"))
                        + " is not an array");
            }
            TableSchema table = schema.require(select.table());
            rows = new ArrayList<>(json.get("rows").size());
            for (JsonNode row : json.get("rows")) {
                rows.add(Rows.decode(table, row, null));
            }
        }
        return new OperationResult(uuid, count, rows);
    }

    /** A string the server sent, or what it sent instead when that is not a string (missing: empty). */
    private static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "";
        }
        return node.isString() ? node.stringValue() : Values.abbreviate(node);
    }

    private static String describe(Operation operation) {
        if (operation instanceof Operation.Insert insert) {
            return "insert into " + insert.table();
        } else if (operation instanceof Operation.Select select) {
            return "select from " + select.table();
        } else if (operation instanceof Operation.Update update) {
            return "update of " + update.table();
        } else if (operation instanceof Operation.Mutate mutate) {
            return "mutate of " + mutate.table();
        } else if (operation instanceof Operation.Delete delete) {
            return "delete from " + delete.table();
        } else if (operation instanceof Operation.Wait wait) {
            return "wait on " + wait.table();
        }
        return operation.op();
    }
}
