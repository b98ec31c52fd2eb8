package io.ovnk.ovnstack;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One OVS/OVN daemon, started in the foreground as a child of this JVM (never {@code --detach}: a detached
 * daemon is re-parented to PID 1, which on these machines never reaps it, so it would stay a zombie). Stopped
 * by its PID: gracefully through its control socket where it has an exit command, then SIGTERM, then SIGKILL.
 */
public final class Daemon {

    private static final Duration GRACE = Duration.ofSeconds(10);

    private final String name;
    private final String comm;
    private final Process process;
    private final Path control;
    private final Path log;
    private final List<String> exitCommand;

    private Daemon(String name, String comm, Process process, Path control, Path log, List<String> exitCommand) {
        this.name = name;
        this.comm = comm;
        this.process = process;
        this.control = control;
        this.log = log;
        this.exitCommand = exitCommand;
    }

    /**
     * @param name a name unique within the stack (files are named after it)
     * @param comm the command name the process will show in /proc (checked before any signal)
     * @param exitCommand the control command that makes it exit cleanly, or empty for SIGTERM
     * @param control where its unixctl socket will be, given its PID (ovn-controller 23.03 has no --unixctl
     *        and names the socket after its PID)
     */
    static Daemon start(String name, String comm, List<String> command, Map<String, String> environment, Path directory,
            StackRecord record, List<String> exitCommand, java.util.function.LongFunction<Path> control) {
        Path log = directory.resolve(name + ".out");
        List<String> full = new ArrayList<>();
        if (java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/setsid"))) {
            // a session of its own: a terminal's Ctrl-C (SIGINT to the foreground process group) or a signal to
            // the JVM's group must not reach the daemon before the code running on it has stopped; the stack
            // stops it, by PID. setsid execs in place (the JVM's child is no group leader): the PID stays.
            full.add("/usr/bin/setsid");
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full);
        builder.environment().putAll(environment);
        builder.directory(directory.toFile());
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CommandException(command, -1, "cannot start: " + e.getMessage());
        }
        record.daemon(process.pid(), comm, name);
        return new Daemon(name, comm, process, control.apply(process.pid()), log, exitCommand);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The daemon's unixctl socket, for ovs-appctl / ovn-appctl -t. */
    public Path control() {
        return control;
    }

    /** Where its stdout, stderr and (with {@code --log-file}) its log go. */
    public Path log() {
        return log;
    }

    /** Fails with the daemon's own last words if it is no longer running. */
    void requireAlive() {
        if (!process.isAlive()) {
            String said;
            try {
                List<String> lines = java.nio.file.Files.readAllLines(log);
                said = String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
            } catch (IOException e) {
                said = "(no output)";
            }
            throw new IllegalStateException(name + " (pid " + pid() + ") exited with " + process.exitValue() + ": "
                    + said + " (" + log + ")");
        }
    }

    /** Stops gracefully, then by SIGTERM, then by SIGKILL; returns once the process is gone. */
    public void stop(Commands commands) {
        if (!process.isAlive()) {
            return;
        }
        if (!exitCommand.isEmpty() && Processes.runs(pid(), comm)) {
            List<String> exit = new ArrayList<>(exitCommand.subList(0, 1));
            exit.add("-t");
            exit.add(control.toString());
            exit.addAll(exitCommand.subList(1, exitCommand.size()));
            try {
                commands.exec(GRACE, exit);
            } catch (CommandException e) {
                // not answering: the signals below will do
            }
            if (waitFor(GRACE)) {
                return;
            }
        }
        if (Processes.runs(pid(), comm)) {
            process.destroy();
            if (waitFor(GRACE)) {
                return;
            }
        }
        kill();
    }

    /** SIGKILL, as a crash would end it; returns once the process is gone. */
    public void kill() {
        if (process.isAlive() && Processes.runs(pid(), comm)) {
            process.destroyForcibly();
        }
        waitFor(GRACE);
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
