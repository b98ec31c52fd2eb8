package io.ovnk.ovnstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.junit.RequiresOvn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing a stack started outlives it: not when its JVM exits without closing it, not when its JVM is killed. */
@RequiresOvn
class CleanupTest {

    @TempDir
    Path root;

    @Test
    void jvmExitWithoutCloseStopsEveryDaemonAndDeletesEveryNamespace() throws Exception {
        Child child = runChild("exit");
        assertEquals(0, child.exitCode());
        assertGone(child);
    }

    @Test
    void leftoversOfAKilledJvmAreRemovedByTheNextStack() throws Exception {
        Child child = runChild("halt");
        assertFalse(child.daemons().isEmpty());
        // a halted JVM runs no hooks: its daemons are orphans now
        for (long pid : child.daemons()) {
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "orphan " + pid + " should run");
        }
        for (String namespace : child.namespaces()) {
            assertTrue(Namespaces.exists(namespace), namespace);
        }
        List<String> reaped = Reaper.reapOrphans(root);
        assertEquals(child.daemons().size() + child.namespaces().size(), reaped.size(), String.join("\n", reaped));
        for (long pid : child.daemons()) {
            ProcessHandle.of(pid).ifPresent(handle -> handle.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        }
        assertGone(child);
        assertTrue(Reaper.reapOrphans(root).isEmpty(), "a reaped stack is not reaped twice");
    }

    record Child(int exitCode, List<Long> daemons, List<String> namespaces) {
    }

    private Child runChild(String how) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                StackInChildJvm.class.getName(), root.toString(), how).redirectErrorStream(true).start();
        List<Long> daemons = new ArrayList<>();
        List<String> namespaces = new ArrayList<>();
        List<String> output = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null;) {
                output.add(line);
                if (line.startsWith("daemon ")) {
                    daemons.add(Long.parseLong(line.substring(7)));
                } else if (line.startsWith("namespace ")) {
                    namespaces.add(line.substring(10));
                }
            }
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not end");
        assertTrue(output.contains("ready"), String.join("\n", output));
        return new Child(process.exitValue(), daemons, namespaces);
    }

    private static void assertGone(Child child) {
        for (long pid : child.daemons()) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    && !Processes.zombie(pid), "daemon " + pid + " still runs");
        }
        for (String namespace : child.namespaces()) {
            assertFalse(Namespaces.exists(namespace), "namespace " + namespace + " still exists");
        }
    }
}
