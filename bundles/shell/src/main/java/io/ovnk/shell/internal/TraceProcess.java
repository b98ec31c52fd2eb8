package io.ovnk.shell.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a command (no shell) with a deadline: its exit code and its output, stderr merged into stdout. */
public interface TraceProcess {

    /** What the process did: its exit code and output; {@code timedOut} when it was killed at the deadline. */
    record Outcome(int exitCode, String output, boolean timedOut) {
    }

    /**
     * @throws IOException when the program cannot be started (typically: not installed)
     */
    Outcome run(List<String> command, Duration timeout) throws IOException;

    /** The real thing: a child process, killed (with its output so far kept) at the deadline. */
    TraceProcess SYSTEM = (command, timeout) -> {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(buffer);
            } catch (IOException e) {
                // the process was killed: keep what was read
            }
        }, "ovnk-trace-output");
        reader.setDaemon(true);
        reader.start();
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + command.get(0), e);
        }
        if (!finished) {
            process.destroyForcibly();
            try {
                process.onExit().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // said by timedOut
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String output = buffer.toString(StandardCharsets.UTF_8);
        return new Outcome(finished ? process.exitValue() : -1, output, !finished);
    };
}
