package io.ovnk.ovsdb;

/** The server answered a request with a JSON-RPC error (e.g. "unknown database"). */
public final class RpcErrorException extends OvsdbException {
    private static final long serialVersionUID = 1L;

    private final String method;
    private final String error;

    public RpcErrorException(String method, String error) {
        super(method + ": the server answered with error " + error, null);
        this.method = method;
        this.error = error;
    }

    public String method() {
        return method;
    }

    /** The error as the server gave it (its JSON text). */
    public String error() {
        return error;
    }
}
