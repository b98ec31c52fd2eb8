package io.ovnk.ovnstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Network namespaces by name (iproute2's /run/netns). */
final class Namespaces {

    private Namespaces() {
    }

    static boolean exists(String name) {
        return Files.exists(Path.of("/run/netns", name)) || Files.exists(Path.of("/var/run/netns", name));
    }

    /** Creates a namespace with its loopback up, recording it before it exists so a crash cannot orphan it. */
    static void create(String name, Commands commands, StackRecord record) {
        record.namespace(name);
        commands.run("ip", "netns", "add", name);
        commands.run("ip", "-n", name, "link", "set", "lo", "up");
    }

    /**
     * Deletes a namespace. Processes still inside (a test's server, say) are ended first, by the PIDs the
     * kernel lists for this namespace, so the namespace really goes away.
     */
    static void delete(String name, Commands commands) {
        if (!exists(name)) {
            return;
        }
        Commands.Result pids = commands.exec(Duration.ofSeconds(10), List.of("ip", "netns", "pids", name));
        if (pids.exitCode() == 0) {
            for (String pid : pids.stdout().split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        commands.exec(Duration.ofSeconds(10), List.of("ip", "netns", "del", name));
    }
}
