package io.ovnk.underlay.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ip} and {@code nsenter} (the JDK speaks no netlink) with a deadline; stdin given whole, stdout and
 * stderr read after the end (a few hundred bytes, within a pipe's buffer).
 */
class ProcessRunner {

    /** What a command that ran to its end printed. */
    record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs and returns stdout; a failure to start, a timeout or a non-zero exit throws. */
    String run(List<String> command, String stdin, Duration timeout) throws CommandException {
        Result result = exec(command, stdin, timeout);
        if (result.exitCode() != 0) {
            throw new CommandException(command, withFailedLine(result.stderr(), stdin), "exited with "
                    + result.exitCode());
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
            throw new CommandException(command, "", "cannot start: " + e.getMessage());
        }
        try {
            if (stdin != null) {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // it ended without reading all; its exit code and stderr say why
                }
            }
            if (!process.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(1, TimeUnit.SECONDS);
                throw new CommandException(command, read(process.getErrorStream()), "did not end within "
                        + timeout.toMillis() + " ms (killed)");
            }
            return new Result(process.exitValue(), read(process.getInputStream()), read(process.getErrorStream()));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException(command, "", "interrupted");
        }
    }

    /** "Command failed -:N" of {@code ip -batch -} gets the failing line appended. */
    static String withFailedLine(String stderr, String stdin) {
        if (stdin == null) {
            return stderr;
        }
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("Command failed -:(\\d+)").matcher(stderr);
        if (!matcher.find()) {
            return stderr;
        }
        int line = Integer.parseInt(matcher.group(1));
        String[] lines = stdin.split("\n");
        return line >= 1 && line <= lines.length ? stderr.strip() + " (line " + line + ": " + lines[line - 1] + ")"
                : stderr;
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
