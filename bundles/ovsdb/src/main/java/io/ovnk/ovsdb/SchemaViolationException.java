package io.ovnk.ovsdb;

/**
 * An operation does not fit the database schema; found before anything is sent. Names the table, the column and
 * the value at fault.
 */
public final class SchemaViolationException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    private final String table;
    private final String column;

    public SchemaViolationException(String table, String column, Object value, String reason) {
        super(describe(table, column, value, reason), null);
        this.table = table;
        this.column = column;
    }

    public String table() {
        return table;
    }

    /** The column, or null when the table itself is at fault. */
    public String column() {
        return column;
    }

    private static String describe(String table, String column, Object value, String reason) {
        StringBuilder message = new StringBuilder("table ").append(table);
        if (column != null) {
            message.append(", column ").append(column);
        }
        if (value != null) {
            String text = String.valueOf(value);
            message.append(", value ").append(text.length() > 100 ? text.substring(0, 97) + "..." : text);
        }
        return message.append(": ").append(reason).toString();
    }
}
