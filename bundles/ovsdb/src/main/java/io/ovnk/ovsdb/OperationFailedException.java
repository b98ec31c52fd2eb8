package io.ovnk.ovsdb;

/**
 * An operation of a transaction failed, so the whole transaction was not applied. {@link #index()} is the
 * operation's position; an index equal to the number of operations means the commit itself failed
 * (constraint or referential integrity violations are found then).
 */
public final class OperationFailedException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    private final int index;
    private final String error;
    private final String details;

    public OperationFailedException(int index, String operation, String error, String details) {
        super("operation " + index + (operation != null ? " (" + operation + ")" : " (commit)") + " failed: " + error
                + (details != null && !details.isEmpty() ? ": " + details : ""), null);
        this.index = index;
        this.error = error;
        this.details = details == null ? "" : details;
    }

    public int index() {
        return index;
    }

    /** The server's error name: "constraint violation", "referential integrity violation", "timed out", ... */
    public String error() {
        return error;
    }

    public String details() {
        return details;
    }
}
