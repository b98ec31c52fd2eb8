package io.ovnk.ovnstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The on-disk note of what a stack created, written as it goes: the owning JVM, every daemon (PID and
 * command name), every network namespace. If the JVM dies without cleaning up (SIGKILL, a crash), the next
 * stack reads the note and removes the leftovers ({@link Reaper}).
 */
final class StackRecord {

    static final String OWNER = "owner";
    static final String DAEMONS = "daemons";
    static final String NAMESPACES = "namespaces";

    /** A daemon as recorded: enough to find it again and to be sure it is still the same process. */
    record DaemonEntry(long pid, String comm, String name) {
    }

    private final Path directory;

    StackRecord(Path directory) {
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    void writeOwner() {
        ProcessHandle self = ProcessHandle.current();
        long started = self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        write(OWNER, self.pid() + " " + started + "\n", false);
    }

    synchronized void daemon(long pid, String comm, String name) {
        write(DAEMONS, pid + " " + comm + " " + name + "\n", true);
    }

    synchronized void namespace(String name) {
        write(NAMESPACES, name + "\n", true);
    }

    List<DaemonEntry> daemons() {
        List<DaemonEntry> entries = new ArrayList<>();
        for (String line : lines(DAEMONS)) {
            String[] fields = line.split(" ", 3);
            if (fields.length == 3) {
                try {
                    entries.add(new DaemonEntry(Long.parseLong(fields[0]), fields[1], fields[2]));
                } catch (NumberFormatException e) {
                    // a torn line from a crash: nothing to signal
                }
            }
        }
        return entries;
    }

    List<String> namespaces() {
        return lines(NAMESPACES).stream().filter(line -> !line.isBlank()).toList();
    }

    /** True while the JVM that wrote the owner line still runs (same PID and same start time). */
    boolean ownerAlive() {
        List<String> owner = lines(OWNER);
        if (owner.isEmpty()) {
            return false;
        }
        String[] fields = owner.get(0).split(" ");
        try {
            long pid = Long.parseLong(fields[0]);
            long started = Long.parseLong(fields[1]);
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            return handle.isPresent() && handle.get().isAlive()
                    && handle.get().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L) == started;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private List<String> lines(String file) {
        try {
            return Files.readAllLines(directory.resolve(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String file, String text, boolean append) {
        try {
            Files.writeString(directory.resolve(file), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
