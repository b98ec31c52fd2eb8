package io.ovnk.ovsdb;

/**
 * A column of a table.
 *
 * @param ephemeral not written to disk by the server
 * @param mutable may be changed after insert
 */
public record ColumnSchema(String name, ColumnType type, boolean ephemeral, boolean mutable) {
}
