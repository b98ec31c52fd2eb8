package io.ovnk.ovsdb;

/**
 * A column's type: a key type, an optional value type (then the column is a map), and how many elements.
 *
 * @param key the key type (the element type of a set)
 * @param value the value type of a map, or null
 * @param min at least this many elements (0 or 1)
 * @param max at most this many ({@code Integer.MAX_VALUE} for "unlimited")
 */
public record ColumnType(BaseType key, BaseType value, int min, int max) {

    public ColumnType {
        if (min < 0 || max < 1 || min > max) {
            throw new IllegalArgumentException("column type min " + min + " max " + max + " is not valid");
        }
    }

    public boolean isMap() {
        return value != null;
    }

    /** Exactly one atom: {@code {min:1,max:1}} without value type. Otherwise values are Sets (or Maps). */
    public boolean isScalar() {
        return value == null && min == 1 && max == 1;
    }

    /** A set of at most one element: the optional scalar ({@code {min:0,max:1}}). */
    public boolean isOptional() {
        return value == null && min == 0 && max == 1;
    }

    public boolean isSet() {
        return value == null && !isScalar();
    }
}
