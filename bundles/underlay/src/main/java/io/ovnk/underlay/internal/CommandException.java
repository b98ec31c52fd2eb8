package io.ovnk.underlay.internal;

import java.util.List;

/** A command ({@code ip}, {@code nsenter}) could not start, timed out or exited non-zero; the message says which. */
final class CommandException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String stderr;

    CommandException(List<String> command, String stderr, String detail) {
        super("`" + String.join(" ", command) + "` " + detail + (stderr == null || stderr.isBlank() ? ""
                : ": " + stderr.strip()));
        this.stderr = stderr == null ? "" : stderr;
    }

    String stderr() {
        return stderr;
    }

    /** The line of an {@code ip -batch -} input that failed ("Command failed -:N"), or 0. */
    int failedBatchLine() {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("Command failed -:(\\d+)").matcher(stderr);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
    }
}
