package io.ovnk.ovnstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs short-lived commands (ovs-vsctl, ip, ...) with an environment and a deadline; output is captured. */
public final class Commands {

    /** Long enough for ovs-vsctl waiting on ovs-vswitchd on a loaded 2-core machine. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, String> environment;

    public Commands(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** Runs and returns stdout; a non-zero exit or a timeout throws {@link CommandException}. */
    public String run(String... command) {
        return run(DEFAULT_TIMEOUT, List.of(command));
    }

    public String run(Duration timeout, List<String> command) {
        Result result = exec(timeout, command);
        if (result.exitCode() != 0) {
            String detail = result.stderr().isBlank() ? result.stdout() : result.stderr();
            throw new CommandException(command, result.exitCode(), detail);
        }
        return result.stdout();
    }

    /** The outcome of a command that ran to completion, whatever its exit code. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs and returns the result even on a non-zero exit; only a timeout or a failure to start throws. */
    public Result exec(Duration timeout, List<String> command) {
        return exec(timeout, command, null);
    }

    /** As {@link #exec(Duration, List)}, in {@code directory} (null: this JVM's). */
    public Result exec(Duration timeout, List<String> command, java.nio.file.Path directory) {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().putAll(environment);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CommandException(command, -1, "cannot start: " + e.getMessage());
        }
        // both streams drain on their own threads, so a chatty or hung command cannot block the deadline
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new CommandException(command, -1, "no answer within " + timeout.toSeconds() + " s");
            }
            return new Result(process.exitValue(), stdout.get(), stderr.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException(command, -1, "interrupted");
        } catch (ExecutionException e) {
            throw new CommandException(command, process.exitValue(), "stderr unreadable: " + e.getCause());
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
