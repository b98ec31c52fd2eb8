package io.ovnk.runtime.internal;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports changes of the files in one directory, event-driven (inotify on Linux). Events that arrive
 * within {@code settle} of each other are reported once per file, so that an editor's truncate-then-write
 * is seen as one change of a complete file rather than as a broken file followed by a good one.
 */
public final class DirectoryWatcher implements AutoCloseable {

    public interface Listener {
        /** The directory may have changed in ways the events did not tell (start, overflow). */
        void rescan();

        void changed(Path file);

        void deleted(Path file);
    }

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatcher.class);

    private final Path directory;
    private final Predicate<Path> filter;
    private final Duration settle;
    private final Listener listener;
    private final WatchService watchService;
    private final Thread thread;

    public DirectoryWatcher(Path directory, Predicate<Path> filter, Duration settle, Listener listener, String threadName)
            throws IOException {
        this.directory = directory;
        this.filter = filter;
        this.settle = settle;
        this.listener = listener;
        this.watchService = directory.getFileSystem().newWatchService();
        directory.register(watchService, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        listener.rescan();
        try {
            while (true) {
                WatchKey key = watchService.take();
                Set<Path> touched = new LinkedHashSet<>();
                boolean overflow = drain(key, touched);
                // coalesce a burst of events (an editor's save, a cp of several files)
                for (WatchKey more; (more = watchService.poll(settle.toMillis(), TimeUnit.MILLISECONDS)) != null;) {
                    overflow |= drain(more, touched);
                }
                if (overflow) {
                    listener.rescan();
                    continue;
                }
                for (Path file : touched) {
                    if (Files.exists(file)) {
                        listener.changed(file);
                    } else {
                        listener.deleted(file);
                    }
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed: the owner is stopping
        } catch (RuntimeException e) {
            LOG.error("{}: watching stopped by an unexpected error; changes are no longer applied", directory, e);
        }
    }

    /** @return true if events were lost */
    private boolean drain(WatchKey key, Set<Path> touched) {
        boolean overflow = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW) {
                overflow = true;
                continue;
            }
            Path file = directory.resolve((Path) event.context());
            if (filter.test(file)) {
                touched.add(file);
            }
        }
        if (!key.reset()) {
            LOG.error("{}: the directory is no longer accessible; configuration files are no longer watched",
                    directory);
        }
        return overflow;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            watchService.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the watch service failed", directory, e);
        }
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
