package io.ovnk.itests.distribution;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A copy of the assembled distribution in a directory of its own, and bin/ovnkube running from it as a child
 * process. Its console output is collected line by line; tests wait for lines, never for time. Closing kills
 * the process and everything it started, by PID.
 */
final class Ovnkube implements AutoCloseable {

    static final Path DISTRIBUTION = Path.of(System.getProperty("ovnk.distribution.dir"));

    private final Path home;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private Process process;
    private Thread reader;
    private int consumed;

    Ovnkube(Path parent) {
        this.home = parent.resolve("ovnk");
        copy(DISTRIBUTION, home);
        // the node role's CNI server installs into /etc/cni/net.d and /opt/cni/bin by default: a test's copy
        // keeps its socket, shim and network configuration inside its own directory (a test may overwrite this)
        Path cni = home.resolve("data/test-cni");
        try {
            Files.writeString(home.resolve("etc/io.ovnk.cni.cfg"), "socket.path = " + cni.resolve("run/cni.sock")
                    + "\nbin.dir = " + cni.resolve("bin") + "\nconf.dir = " + cni.resolve("net.d") + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path home() {
        return home;
    }

    /** Starts bin/ovnkube with the arguments; output (stdout and stderr) is collected. */
    Ovnkube start(String... arguments) {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/ovnkube").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OVNK_CONSOLE_LOG", "INFO");
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    record(line + "\n");
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            synchronized (lines) {
                lines.notifyAll();
            }
        }, "ovnkube-output");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    Process process() {
        return process;
    }

    /**
     * SIGTERM, as an operator's kill or systemd's stop. Through the ProcessHandle: Process.destroy() also closes
     * our end of the output pipe, and the shutdown lines would be lost.
     */
    void sigterm() {
        process.toHandle().destroy();
    }

    /** SIGKILL, as a crash or the OOM killer ends it: no shutdown runs. Returns once the process is gone. */
    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly(); // bin/ovnkube execs java: this PID is the JVM
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("ovnkube (pid " + process.pid() + ") survived SIGKILL for 30 s");
        }
    }

    OutputStream stdin() {
        return process.getOutputStream();
    }

    /** Types a command into the Gogo console (started with {@code bin/ovnkube console}); its output is awaited. */
    void console(String command) {
        try {
            process.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException("console: " + command, e);
        }
    }

    /**
     * Waits for the next output line (after those already awaited) that matches, and returns its match.
     * Fails with everything printed so far if the line does not come in time or the process ends.
     */
    Matcher await(String regex, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (; consumed < lines.size(); consumed++) {
                    Matcher matcher = pattern.matcher(lines.get(consumed));
                    if (matcher.find()) {
                        consumed++;
                        return matcher;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && consumedAll())) {
                    throw new AssertionError("no line matching /" + regex + "/ within " + timeout.toMillis() + " ms"
                            + (process.isAlive() ? "" : " (ovnkube exited with " + process.exitValue() + ")")
                            + "; output:\n" + String.join("\n", lines));
                }
                try {
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
    }

    /** Waits for a line matching anywhere in the output so far or to come, earlier lines included. */
    void awaitAnywhere(String regex, Duration timeout) {
        synchronized (lines) {
            consumed = 0;
        }
        awaitEach(timeout, regex);
    }

    /**
     * Waits until each regex has matched a line printed after those already awaited, in any order: for lines
     * written by different threads (a component and the runtime), whose order is not defined.
     */
    void awaitEach(Duration timeout, String... regexes) {
        List<Pattern> patterns = new ArrayList<>();
        for (String regex : regexes) {
            patterns.add(Pattern.compile(regex));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int start = consumed;
            while (true) {
                int last = -1;
                boolean all = true;
                for (Pattern pattern : patterns) {
                    int found = -1;
                    for (int i = start; i < lines.size() && found < 0; i++) {
                        if (pattern.matcher(lines.get(i)).find()) {
                            found = i;
                        }
                    }
                    all &= found >= 0;
                    last = Math.max(last, found);
                }
                if (all) {
                    consumed = last + 1;
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive()) {
                    throw new AssertionError("not every one of " + List.of(regexes) + " within " + timeout.toMillis()
                            + " ms; output:\n" + String.join("\n", lines));
                }
                try {
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
    }

    private boolean consumedAll() {
        return consumed >= lines.size();
    }

    /** Every output line so far. */
    List<String> output() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The lines that mention the text (e.g. a file name) at the given level. */
    long count(String level, String text) {
        return output().stream().filter(l -> l.contains(" " + level + " ") && l.contains(text)).count();
    }

    int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("ovnkube did not exit within " + timeout.toSeconds() + " s; output:\n"
                    + String.join("\n", output()));
        }
        reader.join(TimeUnit.SECONDS.toMillis(10)); // the output ends when the process has ended
        return process.exitValue();
    }

    /** Runs another bin/ovnkube command of this home to completion and returns its exit code and output. */
    Map.Entry<Integer, String> run(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/ovnkube").toString()));
        command.addAll(List.of(arguments));
        Process other = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // the output only: the arguments are the test's own (they may hold a token on purpose, as -k8s-token does)
        record(out);
        if (!other.waitFor(90, TimeUnit.SECONDS)) {
            other.destroyForcibly();
            throw new AssertionError("bin/ovnkube " + String.join(" ", arguments) + " did not finish: " + out);
        }
        return Map.entry(other.exitValue(), out);
    }

    /**
     * Appends console output to {@code ovnk-console.out} next to the home, which {@link LogKeeper} keeps for
     * {@link SecretScanIT}: what bin/ovnkube prints (--print-config, Gogo) must not hold a secret either.
     */
    private void record(String text) {
        try {
            Files.writeString(home.resolveSibling(home.getFileName() + "-console.out"), text, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void copy(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
