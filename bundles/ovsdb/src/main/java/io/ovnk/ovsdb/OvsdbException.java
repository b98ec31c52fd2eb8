package io.ovnk.ovsdb;

/**
 * Every failure the client reports, one subtype per case a caller can act on. Futures of the client complete
 * exceptionally with one of these (possibly wrapped in a {@link java.util.concurrent.CompletionException}).
 */
public abstract sealed class OvsdbException extends RuntimeException permits RpcErrorException,
        OperationFailedException, NotConnectedException, DeadlineExceededException, SchemaViolationException,
        ConnectionLostException, ProtocolException, SchemaMismatchException {

    private static final long serialVersionUID = 1L;

    protected OvsdbException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The OvsdbException behind a future's failure, or null if it failed otherwise. */
    public static OvsdbException of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof OvsdbException ovsdb) {
                return ovsdb;
            }
        }
        return null;
    }
}
