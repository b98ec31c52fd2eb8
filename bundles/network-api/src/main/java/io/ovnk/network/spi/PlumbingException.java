package io.ovnk.network.spi;

/**
 * A plumber could not do what was asked. The message names what failed (the interface, the namespace, the OVS
 * port); {@link #retryable()} says whether the same request may succeed later (the CNI server then answers
 * "try again later", CNI error 11), otherwise it is the plugin's own error.
 */
public class PlumbingException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public PlumbingException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public PlumbingException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
