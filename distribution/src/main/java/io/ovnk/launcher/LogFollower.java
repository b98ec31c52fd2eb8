package io.ovnk.launcher;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Waits for what ovnk says in its log file, from a given offset (this run's lines): woken by the file system's
 * change events, never by a timer. Lines already read are kept, so waits in sequence see earlier lines too.
 */
final class LogFollower {

    private final Path file;
    private long offset;
    private final StringBuilder seen = new StringBuilder();

    LogFollower(Path file, long offset) {
        this.file = file;
        this.offset = offset;
    }

    /** The size of the file now (0 when it does not exist): where this run's lines start. */
    static long end(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Returns the first line that matches, once one does; a LaunchException naming the pattern and the file after
     * the timeout.
     */
    String await(Pattern pattern, Duration timeout) throws LaunchException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            Files.createDirectories(file.getParent());
            file.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (true) {
                readNew();
                java.util.Optional<String> line = seen.toString().lines().filter(l -> pattern.matcher(l).find())
                        .findFirst();
                if (line.isPresent()) {
                    return line.get();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new LaunchException("sandbox: ovnk did not log \"" + pattern + "\" within "
                            + timeout.toSeconds() + " s; see " + file);
                }
                var key = watch.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (IOException e) {
            throw new LaunchException("sandbox: cannot read " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("sandbox: interrupted waiting for ovnk", e);
        }
    }

    private void readNew() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length < offset) {
                offset = 0; // rolled over
            }
            if (length == offset) {
                return;
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, 16 * 1024 * 1024)];
            in.seek(offset);
            in.readFully(bytes);
            offset += bytes.length;
            seen.append(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    /** Returns once a file whose name ends with {@code suffix} exists in {@code directory}. */
    static void awaitFile(Path directory, String suffix, Duration timeout) throws LaunchException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            Files.createDirectories(directory);
            directory.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (true) {
                try (var files = Files.list(directory)) {
                    if (files.anyMatch(f -> f.getFileName().toString().endsWith(suffix))) {
                        return;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new LaunchException("sandbox: no " + suffix + " file in " + directory + " within "
                            + timeout.toSeconds() + " s");
                }
                var key = watch.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (IOException e) {
            throw new LaunchException("sandbox: cannot watch " + directory + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("sandbox: interrupted waiting for " + directory, e);
        }
    }
}
