package io.ovnk.ovsdb;

/**
 * A row inserted earlier in the same transaction, referred to by the name its insert gave it
 * ({@code ["named-uuid", name]} on the wire).
 */
public record NamedUuid(String name) {

    public NamedUuid {
        if (!isIdentifier(name)) {
            throw new IllegalArgumentException("uuid-name \"" + name + "\" is not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
        }
    }

    public static NamedUuid of(String name) {
        return new NamedUuid(name);
    }

    /** [A-Za-z_][A-Za-z0-9_]*, checked without a regex: this runs for every insert of a transaction. */
    private static boolean isIdentifier(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
            if (!letter && (i == 0 || c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }
}
