package io.ovnk.ovnstack;

import java.util.List;

/** A command of the stack failed: which one, how, and what it printed on stderr. */
public final class CommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> command;
    private final int exitCode;

    public CommandException(List<String> command, int exitCode, String detail) {
        super(String.join(" ", command) + (exitCode >= 0 ? " exited with " + exitCode : "") + ": " + detail.strip());
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
    }

    public List<String> command() {
        return command;
    }

    /** The exit code, or -1 when the command did not finish (timeout, could not start). */
    public int exitCode() {
        return exitCode;
    }
}
