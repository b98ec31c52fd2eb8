package io.ovnk.cni.internal;

/**
 * A CNI request failed: the CNI error code (spec section "Error"), a message naming the field or object, and
 * optional details. The server answers it as {@code {"cniVersion","code","msg","details"}} with HTTP 400.
 */
public final class CniException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The request's cniVersion is not one this plugin supports. */
    public static final int INCOMPATIBLE_VERSION = 1;
    /** A field of the network configuration is not supported. */
    public static final int UNSUPPORTED_FIELD = 2;
    /** The container (its network namespace, its pod) is unknown or gone: the runtime need not clean up. */
    public static final int UNKNOWN_CONTAINER = 3;
    /** A CNI_* environment variable is missing or invalid. */
    public static final int INVALID_ENVIRONMENT = 4;
    /** An I/O failure. */
    public static final int IO_FAILURE = 5;
    /** The request or the configuration could not be decoded. */
    public static final int DECODING_FAILURE = 6;
    /** The network configuration is invalid. */
    public static final int INVALID_NETWORK_CONFIG = 7;
    /** Transient: the same request may succeed later. */
    public static final int TRY_AGAIN_LATER = 11;
    /** STATUS: the plugin cannot serve ADD now. */
    public static final int PLUGIN_NOT_AVAILABLE = 50;
    /** Plugin-specific: the network mode failed to plumb, unplumb, check or collect (not retryable). */
    public static final int PLUMBING_FAILED = 100;
    /** Plugin-specific: the pod's network annotation is missing or does not parse. */
    public static final int BAD_POD_ANNOTATION = 101;
    /** Plugin-specific: CHECK found the pod's interface other than its prevResult or annotation says. */
    public static final int CHECK_FAILED = 102;

    private final int code;
    private final String details;

    public CniException(int code, String message) {
        this(code, message, "");
    }

    public CniException(int code, String message, String details) {
        super(message);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    public int code() {
        return code;
    }

    public String details() {
        return details;
    }
}
