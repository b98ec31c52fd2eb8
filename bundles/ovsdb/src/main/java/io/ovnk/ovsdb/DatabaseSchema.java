package io.ovnk.ovsdb;

import java.util.Map;
import java.util.Optional;

/**
 * A database's schema as the server reports it ({@code get_schema}).
 *
 * @param name e.g. {@code OVN_Northbound}
 * @param version the schema version, e.g. {@code 7.0.0}
 * @param checksum the server's cksum of the schema, empty if it gave none
 * @param tables by name
 */
public record DatabaseSchema(String name, String version, String checksum, Map<String, TableSchema> tables) {

    public DatabaseSchema {
        tables = Map.copyOf(tables);
    }

    public Optional<TableSchema> table(String table) {
        return Optional.ofNullable(tables.get(table));
    }

    /** The table, or an exception naming database and table. */
    public TableSchema require(String table) {
        TableSchema schema = tables.get(table);
        if (schema == null) {
            throw new SchemaViolationException(table, null, null, "no such table in " + name + " " + version);
        }
        return schema;
    }
}
