package io.ovnk.ovsdb.internal;

/**
 * A request could not be written because the connection was already gone: the server never saw it, so it is
 * safe to send again on the next connection (unlike a request lost in flight).
 */
final class NotSentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotSentException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
