package io.ovnk.itests.distribution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits for a line in a log file written by a process that is not ours to read from (bin/ovnkube start). */
final class LogFile {

    private LogFile() {
    }

    /** Event-driven: re-reads the file each time the directory reports a change, until the text is there. */
    static void await(Path log, String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Files.createDirectories(log.getParent());
        try (WatchService watch = log.getFileSystem().newWatchService()) {
            log.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (!(Files.exists(log) && Files.readString(log).contains(text))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("\"" + text + "\" not in " + log + " within " + timeout.toSeconds() + " s:\n"
                            + (Files.exists(log) ? Files.readString(log) : "(no log)"));
                }
                var key = watch.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }
}
