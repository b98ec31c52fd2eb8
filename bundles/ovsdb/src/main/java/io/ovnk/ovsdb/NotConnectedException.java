package io.ovnk.ovsdb;

/** No connection to any remote of the database was available within the request's deadline. */
public final class NotConnectedException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    public NotConnectedException(String message) {
        super(message, null);
    }
}
