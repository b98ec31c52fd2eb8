package io.ovnk.ovsdb;

import java.util.regex.Pattern;

/**
 * A row inserted earlier in the same transaction, referred to by the name its insert gave it
 * ({@code ["named-uuid", name]} on the wire).
 */
public record NamedUuid(String name) {

    private static final Pattern ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public NamedUuid {
        if (name == null || !ID.matcher(name).matches()) {
            throw new IllegalArgumentException("uuid-name \"" + name + "\" is not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
        }
    }

    public static NamedUuid of(String name) {
        return new NamedUuid(name);
    }
}
