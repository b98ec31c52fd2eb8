package io.ovnk.ovsdb;

import java.util.UUID;

/** The five atomic types of OVSDB and the Java type each value has. */
public enum AtomicType {
    INTEGER(Long.class), REAL(Double.class), BOOLEAN(Boolean.class), STRING(String.class), UUID(UUID.class);

    private final Class<?> javaType;

    AtomicType(Class<?> javaType) {
        this.javaType = javaType;
    }

    public Class<?> javaType() {
        return javaType;
    }

    /** The schema's spelling: "integer", "real", "boolean", "string", "uuid". */
    public String schemaName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static AtomicType of(String schemaName) {
        for (AtomicType type : values()) {
            if (type.schemaName().equals(schemaName)) {
                return type;
            }
        }
        throw new IllegalArgumentException("\"" + schemaName + "\" is not an atomic type");
    }
}
