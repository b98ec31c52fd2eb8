package io.ovnk.ovsdb;

/** The server sent something that is not valid OVSDB JSON-RPC (a broken frame, a reply of the wrong shape). */
public final class ProtocolException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message, null);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
