package io.ovnk.ovsdb;

/**
 * A where-clause element: {@code [column, function, value]}. The pseudo-column {@code _uuid} selects rows by UUID.
 */
public record Condition(String column, Function function, Object value) {

    public enum Function {
        LESS("<"), LESS_OR_EQUAL("<="), EQUAL("=="), NOT_EQUAL("!="), GREATER_OR_EQUAL(">="), GREATER(">"),
        INCLUDES("includes"), EXCLUDES("excludes");

        private final String wire;

        Function(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    public static Condition equal(String column, Object value) {
        return new Condition(column, Function.EQUAL, value);
    }

    public static Condition notEqual(String column, Object value) {
        return new Condition(column, Function.NOT_EQUAL, value);
    }

    public static Condition includes(String column, Object value) {
        return new Condition(column, Function.INCLUDES, value);
    }

    public static Condition excludes(String column, Object value) {
        return new Condition(column, Function.EXCLUDES, value);
    }

    /** The row with this UUID. */
    public static Condition uuid(java.util.UUID uuid) {
        return new Condition("_uuid", Function.EQUAL, uuid);
    }
}
