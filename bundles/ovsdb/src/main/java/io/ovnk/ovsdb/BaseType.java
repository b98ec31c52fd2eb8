package io.ovnk.ovsdb;

import java.util.Set;

/**
 * The type of a column's keys or values: an atomic type with its constraints.
 *
 * @param type the atomic type
 * @param enumeration allowed values, empty for any
 * @param minInteger smallest integer, {@code Long.MIN_VALUE} when unbounded
 * @param maxInteger largest integer, {@code Long.MAX_VALUE} when unbounded
 * @param minReal smallest real, negative infinity when unbounded
 * @param maxReal largest real, infinity when unbounded
 * @param minLength shortest string (in UTF-8 bytes, as the server counts), 0 when unbounded
 * @param maxLength longest string, {@code Integer.MAX_VALUE} when unbounded
 * @param refTable the table a uuid refers to, or null
 * @param strongReference whether the reference is strong (keeps the row) rather than weak
 */
public record BaseType(AtomicType type, Set<Object> enumeration, long minInteger, long maxInteger, double minReal,
        double maxReal, int minLength, int maxLength, String refTable, boolean strongReference) {

    public BaseType {
        enumeration = Set.copyOf(enumeration);
    }

    public static BaseType of(AtomicType type) {
        return new BaseType(type, Set.of(), Long.MIN_VALUE, Long.MAX_VALUE, Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY, 0, Integer.MAX_VALUE, null, true);
    }

    /** The same atomic type without enum, range or length constraints (for arithmetic mutation operands). */
    public BaseType withoutConstraints() {
        return of(type);
    }

    /** Why {@code value} does not fit this type, or null if it does. */
    public String problem(Object value) {
        if (value instanceof NamedUuid) {
            return type == AtomicType.UUID ? null : "is a named-uuid, the column holds " + type.schemaName();
        }
        if (!type.javaType().isInstance(value)) {
            return "is " + (value == null ? "null" : "a " + value.getClass().getSimpleName()) + ", the column holds "
                    + type.schemaName() + " (" + type.javaType().getSimpleName() + ")";
        }
        if (!enumeration.isEmpty() && !enumeration.contains(value)) {
            return "is not one of " + enumeration;
        }
        switch (type) {
            case INTEGER -> {
                long number = (Long) value;
                if (number < minInteger || number > maxInteger) {
                    return "is not within " + minInteger + ".." + maxInteger;
                }
            }
            case REAL -> {
                double number = (Double) value;
                if (number < minReal || number > maxReal) {
                    return "is not within " + minReal + ".." + maxReal;
                }
            }
            case STRING -> {
                int length = ((String) value).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                if (length < minLength || length > maxLength) {
                    return "has " + length + " bytes, not within " + minLength + ".." + maxLength;
                }
            }
            default -> {
                // booleans and uuids have no further constraint
            }
        }
        return null;
    }
}
