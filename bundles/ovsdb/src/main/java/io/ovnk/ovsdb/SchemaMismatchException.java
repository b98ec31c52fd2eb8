package io.ovnk.ovsdb;

import java.util.List;

/** A typed model does not fit the server's schema (an upgrade renamed a column, say); lists every misfit. */
public final class SchemaMismatchException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public SchemaMismatchException(List<String> problems) {
        super("the server's schema does not fit the model: " + String.join("; ", problems), null);
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
