package io.ovnk.ovsdb;

/** The server did not answer a request before its deadline (the request may still be applied). */
public final class DeadlineExceededException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(String message) {
        super(message, null);
    }
}
