package io.ovnk.ovnstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Removes what stacks of dead JVMs left behind: their daemons (by recorded PID, only if /proc still shows
 * the recorded command) and their network namespaces. Runs before every new stack, so a test JVM that was
 * killed cannot poison the next run.
 */
public final class Reaper {

    static final String CLOSED = "closed";

    private Reaper() {
    }

    /** @return one line per thing removed */
    public static List<String> reapOrphans(Path root) {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        List<Path> stacks;
        try (Stream<Path> listing = Files.list(root)) {
            stacks = listing.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return removed;
        }
        for (Path stack : stacks) {
            StackRecord record = new StackRecord(stack);
            if (Files.exists(stack.resolve(CLOSED)) || !Files.exists(stack.resolve(StackRecord.OWNER))
                    || record.ownerAlive()) {
                continue;
            }
            removed.addAll(cleanup(record, new Commands(Map.of())));
        }
        return removed;
    }

    /** Kills the recorded daemons and deletes the recorded namespaces, newest first. */
    static List<String> cleanup(StackRecord record, Commands commands) {
        List<String> removed = new ArrayList<>();
        for (StackRecord.DaemonEntry daemon : record.daemons()) {
            if (Processes.runs(daemon.pid(), daemon.comm())) {
                ProcessHandle.of(daemon.pid()).ifPresent(ProcessHandle::destroyForcibly);
                removed.add("killed orphaned " + daemon.name() + " (pid " + daemon.pid() + ") of " + record.directory());
            }
        }
        List<String> namespaces = new ArrayList<>(record.namespaces());
        java.util.Collections.reverse(namespaces);
        for (String namespace : namespaces) {
            if (Namespaces.exists(namespace)) {
                Namespaces.delete(namespace, commands);
                removed.add("deleted orphaned network namespace " + namespace);
            }
        }
        try {
            Files.writeString(record.directory().resolve(CLOSED), "reaped\n");
        } catch (IOException e) {
            // the directory may be read-only now; nothing else to do
        }
        return removed;
    }
}
