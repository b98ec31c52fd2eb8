package io.ovnk.overlay.internal;

import java.util.List;

/**
 * A command ({@code ip}, {@code nsenter}, {@code ethtool}) failed: it could not start, timed out or exited
 * non-zero. The message holds the command line and what it wrote to stderr.
 */
final class CommandException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final String stderr;

    CommandException(List<String> command, int exitCode, String stderr, String detail) {
        super("`" + String.join(" ", command) + "` " + detail
                + (stderr == null || stderr.isBlank() ? "" : ": " + stderr.strip()));
        this.exitCode = exitCode;
        this.stderr = stderr == null ? "" : stderr;
    }

    /** The exit code, or -1 when the command did not run to its end. */
    int exitCode() {
        return exitCode;
    }

    String stderr() {
        return stderr;
    }
}
