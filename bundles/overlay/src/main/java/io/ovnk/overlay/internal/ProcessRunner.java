package io.ovnk.overlay.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the few commands the JDK cannot replace (it speaks no netlink): {@code ip}, {@code nsenter},
 * {@code ethtool}. Each has a deadline; stdin is given whole, stdout and stderr are captured. The commands used
 * here answer in a few hundred bytes, well within a pipe's buffer, so the output is read once the process ended.
 */
final class ProcessRunner {

    /** What a command that ran to its end printed. */
    record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs and returns stdout; a failure to start, a timeout or a non-zero exit is a {@link CommandException}. */
    String run(List<String> command, String stdin, Duration timeout) throws CommandException {
        Result result = exec(command, stdin, timeout);
        if (result.exitCode() != 0) {
            throw new CommandException(command, result.exitCode(), describeStderr(result.stderr(), stdin),
                    "exited with " + result.exitCode());
        }
        return result.stdout();
    }

    /** Runs and returns the result whatever the exit code; only a failure to start or a timeout throws. */
    Result exec(List<String> command, String stdin, Duration timeout) throws CommandException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CommandException(command, -1, "", "cannot start: " + e.getMessage());
        }
        try {
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // the command ended without reading everything; its exit code and stderr tell why
                }
            }
            long millis = Math.max(1, timeout.toMillis());
            if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                // children first (a shell's), so that nothing keeps the pipes open
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(1, TimeUnit.SECONDS);
                throw new CommandException(command, -1, read(process.getErrorStream()),
                        "did not end within " + millis + " ms (killed)");
            }
            return new Result(process.exitValue(), read(process.getInputStream()), read(process.getErrorStream()));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException(command, -1, "", "interrupted");
        }
    }

    /**
     * {@code ip -batch -} reports a failure as "Command failed -:N": the failing line is added, so the message
     * says which of the commands failed.
     */
    static String describeStderr(String stderr, String stdin) {
        if (stdin == null) {
            return stderr;
        }
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("Command failed -:(\\d+)").matcher(stderr);
        if (!matcher.find()) {
            return stderr;
        }
        int line = Integer.parseInt(matcher.group(1));
        String[] lines = stdin.split("\n");
        return line >= 1 && line <= lines.length ? stderr.strip() + " (line " + line + ": " + lines[line - 1] + ")" : stderr;
    }

    /** The line of an {@code ip -batch -} input that failed, or 0 when the message names none. */
    static int failedBatchLine(CommandException e) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("Command failed -:(\\d+)").matcher(e.stderr());
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
