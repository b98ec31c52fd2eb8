package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.BaseType;
import io.ovnk.ovsdb.ColumnSchema;
import io.ovnk.ovsdb.ColumnType;
import io.ovnk.ovsdb.DatabaseSchema;
import io.ovnk.ovsdb.ProtocolException;
import io.ovnk.ovsdb.TableSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** A database schema from its JSON (RFC 7047 section 3.2), as get_schema returns it or a .ovsschema file holds it. */
final class SchemaParser {

    private SchemaParser() {
    }

    static DatabaseSchema parse(JsonNode json) {
        String name = text(json, "name", "database schema");
        String version = json.has("version") ? json.get("version").asString() : "";
        String checksum = json.has("cksum") ? json.get("cksum").asString() : "";
        JsonNode tables = json.get("tables");
        if (tables == null || !tables.isObject()) {
            throw new ProtocolException("schema " + name + " has no \"tables\" object");
        }
        Map<String, TableSchema> parsed = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> table : tables.properties()) {
            parsed.put(table.getKey(), table(table.getKey(), table.getValue()));
        }
        return new DatabaseSchema(name, version, checksum, parsed);
    }

    private static TableSchema table(String name, JsonNode json) {
        JsonNode columns = json.get("columns");
        if (columns == null || !columns.isObject()) {
            throw new ProtocolException("table " + name + " has no \"columns\" object");
        }
        List<ColumnSchema> parsed = new ArrayList<>();
        for (Map.Entry<String, JsonNode> column : columns.properties()) {
            JsonNode definition = column.getValue();
            ColumnType type = columnType(name + "." + column.getKey(), definition.get("type"));
            parsed.add(new ColumnSchema(column.getKey(), type, definition.path("ephemeral").asBoolean(false),
                    definition.path("mutable").asBoolean(true)));
        }
        List<List<String>> indexes = new ArrayList<>();
        JsonNode indexList = json.get("indexes");
        if (indexList != null) {
            for (JsonNode index : indexList) {
                List<String> columnNames = new ArrayList<>();
                index.forEach(column -> columnNames.add(column.asString()));
                indexes.add(columnNames);
            }
        }
        Optional<Integer> maxRows = json.has("maxRows") ? Optional.of(json.get("maxRows").asInt()) : Optional.empty();
        return new TableSchema(name, parsed, indexes, json.path("isRoot").asBoolean(false), maxRows);
    }

    static ColumnType columnType(String where, JsonNode json) {
        if (json == null) {
            throw new ProtocolException(where + " has no type");
        }
        if (json.isString()) {
            return new ColumnType(BaseType.of(atomic(where, json.stringValue())), null, 1, 1);
        }
        BaseType key = baseType(where + " key", json.get("key"));
        BaseType value = json.has("value") ? baseType(where + " value", json.get("value")) : null;
        int min = json.has("min") ? json.get("min").asInt() : 1;
        int max = 1;
        if (json.has("max")) {
            JsonNode maxNode = json.get("max");
            max = maxNode.isString() && "unlimited".equals(maxNode.stringValue()) ? Integer.MAX_VALUE : maxNode.asInt();
        }
        return new ColumnType(key, value, min, max);
    }

    private static BaseType baseType(String where, JsonNode json) {
        if (json == null) {
            throw new ProtocolException(where + " is missing");
        }
        if (json.isString()) {
            return BaseType.of(atomic(where, json.stringValue()));
        }
        AtomicType type = atomic(where, text(json, "type", where));
        BaseType plain = BaseType.of(type);
        Set<Object> enumeration = Set.of();
        if (json.has("enum")) {
            enumeration = Values.decodeSet(json.get("enum"), plain);
        }
        return new BaseType(type, enumeration,
                json.has("minInteger") ? json.get("minInteger").asLong() : Long.MIN_VALUE,
                json.has("maxInteger") ? json.get("maxInteger").asLong() : Long.MAX_VALUE,
                json.has("minReal") ? json.get("minReal").asDouble() : Double.NEGATIVE_INFINITY,
                json.has("maxReal") ? json.get("maxReal").asDouble() : Double.POSITIVE_INFINITY,
                json.has("minLength") ? json.get("minLength").asInt() : 0,
                json.has("maxLength") ? json.get("maxLength").asInt() : Integer.MAX_VALUE,
                json.has("refTable") ? json.get("refTable").asString() : null,
                !"weak".equals(json.path("refType").asString("strong")));
    }

    private static AtomicType atomic(String where, String name) {
        try {
            return AtomicType.of(name);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(where + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode json, String field, String where) {
        JsonNode node = json.get(field);
        if (node == null || !node.isString()) {
            throw new ProtocolException(where + " has no \"" + field + "\"");
        }
        return node.stringValue();
    }
}
