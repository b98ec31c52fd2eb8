package io.ovnk.runtime.internal.config;

/** A configuration file that cannot be used as it stands; the message says why, naming the key where there is one. */
public final class ConfigFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigFileException(String message) {
        super(message);
    }

    public ConfigFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
