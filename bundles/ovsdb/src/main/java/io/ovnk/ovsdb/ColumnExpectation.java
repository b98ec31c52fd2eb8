package io.ovnk.ovsdb;

/**
 * What a typed model reads from one column: its atomic types and its shape. A model is checked against the
 * server's schema before it is used, so a column that changed type is an error naming it, not a surprise later.
 *
 * @param value the value type of a map, null otherwise
 */
public record ColumnExpectation(String column, AtomicType key, AtomicType value, Shape shape) {

    /** Scalar: exactly one atom; optional: a set of at most one; set: any other set; map. */
    public enum Shape {
        SCALAR, OPTIONAL, SET, MAP
    }

    public static ColumnExpectation scalar(String column, AtomicType type) {
        return new ColumnExpectation(column, type, null, Shape.SCALAR);
    }

    public static ColumnExpectation optional(String column, AtomicType type) {
        return new ColumnExpectation(column, type, null, Shape.OPTIONAL);
    }

    public static ColumnExpectation set(String column, AtomicType type) {
        return new ColumnExpectation(column, type, null, Shape.SET);
    }

    public static ColumnExpectation map(String column, AtomicType key, AtomicType value) {
        return new ColumnExpectation(column, key, value, Shape.MAP);
    }

    /** Why the column as the server defines it does not fit, or null if it does. */
    public String problem(ColumnType actual) {
        Shape found = actual.isMap() ? Shape.MAP : actual.isScalar() ? Shape.SCALAR : actual.isOptional() ? Shape.OPTIONAL
                : Shape.SET;
        if (found != shape) {
            return "is a " + found.name().toLowerCase() + ", the model reads a " + shape.name().toLowerCase();
        }
        if (actual.key().type() != key) {
            return "holds " + actual.key().type().schemaName() + (shape == Shape.MAP ? " keys" : "") + ", the model reads "
                    + key.schemaName();
        }
        if (shape == Shape.MAP && actual.value().type() != value) {
            return "maps to " + actual.value().type().schemaName() + ", the model reads " + value.schemaName();
        }
        return null;
    }
}
