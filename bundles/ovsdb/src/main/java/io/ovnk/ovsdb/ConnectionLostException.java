package io.ovnk.ovsdb;

/**
 * The connection dropped after a request was sent and before its answer came: the request may or may not have
 * been applied. The client never resends such a request by itself (that could apply it twice).
 */
public final class ConnectionLostException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
