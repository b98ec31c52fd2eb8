package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real bin/ovnkube of the assembled distribution, run as an operator runs it. */
class DistributionIT {

    static final Duration START = Duration.ofSeconds(60);
    /** The promise: a jar dropped into deploy/ is installed and started within 2 s. */
    static final Duration HOT_DEPLOY = Duration.ofSeconds(2);
    static final Duration LIVE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void startsHeadlessAndStopsCleanlyOnSigterm() throws Exception {
        try (Ovnkube ovnkube = new Ovnkube(dir).start()) {
            Matcher started = ovnkube.await("ovnk started in (\\d+) ms: features \\[platform, core, master, node, overlay\\], (\\d+) bundles active$", START);
            // the etc/ worker and the framework's start event are different threads: the line may precede it
            ovnkube.awaitAnywhere("etc/io.ovnk.runtime.cfg: applied to io.ovnk.runtime", LIVE);
            long rss = residentKiB(ovnkube.process().pid());
            System.out.printf("distribution started in %s ms with %s bundles active; resident memory %d MiB%n",
                    started.group(1), started.group(2), rss / 1024);
            List<ProcessHandle> family = ovnkube.process().descendants().toList();
            // FileInstall's scratch space lives in the framework cache, which every start cleans: nothing in /tmp
            assertTrue(Files.isDirectory(ovnkube.home().resolve("data/cache/fileinstall")));

            ovnkube.sigterm();
            ovnkube.await("ovnk stopping: deactivating every component", LIVE);
            ovnkube.await("ovnkube: stopped in \\d+ ms", LIVE);
            assertEquals(143, ovnkube.waitForExit(LIVE), "exit status after SIGTERM (128 + 15)");
            for (ProcessHandle handle : family) {
                assertFalse(handle.isAlive(), "left behind: " + handle.pid());
            }
            List<String> log = Files.readAllLines(ovnkube.home().resolve("log/ovnk.log"));
            assertTrue(log.stream().anyMatch(line -> line.contains("ovnk started in")), "log/ovnk.log has the start");
            assertTrue(log.stream().anyMatch(line -> line.contains("ovnk stopping")), "log/ovnk.log has the stop");
            assertEquals(0, log.stream().filter(line -> line.contains(" ERROR ")).count(), String.join("\n", log));
        }
    }

    @Test
    void aJarInDeployIsInstalledStartedUpdatedAndUninstalled() throws Exception {
        try (Ovnkube ovnkube = new Ovnkube(dir).start()) {
            ovnkube.await("ovnk started in", START);
            Path jar = ovnkube.home().resolve("deploy/org.example.hot.jar");

            long t0 = System.nanoTime();
            Files.write(jar, TestBundles.bundle("org.example.hot", "1.0.0", null));
            ovnkube.await("deploy/org.example.hot.jar: installed org.example.hot 1.0.0", HOT_DEPLOY);
            ovnkube.await("deploy/org.example.hot.jar: started org.example.hot 1.0.0", HOT_DEPLOY);
            System.out.printf("hot deploy: installed and started %d ms after the copy%n", (System.nanoTime() - t0) / 1_000_000);

            Files.write(jar, TestBundles.bundle("org.example.hot", "1.1.0", null));
            ovnkube.await("deploy/org.example.hot.jar: updated, now org.example.hot 1.1.0", HOT_DEPLOY);
            ovnkube.await("deploy/org.example.hot.jar: started org.example.hot 1.1.0", HOT_DEPLOY);

            Files.delete(jar);
            ovnkube.await("deploy/org.example.hot.jar: uninstalled org.example.hot 1.1.0", HOT_DEPLOY);
        }
    }

    @Test
    void etcFilesAreAppliedLiveReappliedWhenEditedAndRemovedWhenDeleted() throws Exception {
        try (Ovnkube ovnkube = new Ovnkube(dir).start()) {
            ovnkube.await("ovnk started in", START);
            ovnkube.awaitAnywhere("etc/io.ovnk.launcher.cfg: applied to io.ovnk.launcher \\(3 keys\\)", LIVE);
            Path launcher = ovnkube.home().resolve("etc/io.ovnk.launcher.cfg");

            Files.writeString(launcher, "roles = master\nmode = overlay\n");
            // applied, and the component received it (it compares with what runs): two threads, either order
            ovnkube.awaitEach(LIVE, "etc/io.ovnk.launcher.cfg: applied to io.ovnk.launcher \\(2 keys\\)",
                    "io.ovnk.launcher: roles master and mode overlay differ from the running roles master,node");

            Files.writeString(launcher, "roles = node\nmode = overlay\n");
            ovnkube.awaitEach(LIVE, "etc/io.ovnk.launcher.cfg: applied to io.ovnk.launcher \\(2 keys\\)",
                    "io.ovnk.launcher: roles node and mode overlay differ");

            Path other = ovnkube.home().resolve("etc/org.example.live.config");
            Files.writeString(other, "port=I\"6641\"\n");
            ovnkube.await("etc/org.example.live.config: applied to org.example.live \\(1 key, no metatype", LIVE);
            Files.delete(other);
            ovnkube.await("etc/org.example.live.config: deleted; configuration org.example.live removed", LIVE);
        }
    }

    @Test
    void badFilesGetOneClearLineEachAndEverythingElseKeepsRunning() throws Exception {
        try (Ovnkube ovnkube = new Ovnkube(dir).start()) {
            ovnkube.await("ovnk started in", START);
            ovnkube.awaitAnywhere("etc/io.ovnk.runtime.cfg: applied to io.ovnk.runtime", LIVE);
            Path etc = ovnkube.home().resolve("etc");
            Path deploy = ovnkube.home().resolve("deploy");

            Files.writeString(etc.resolve("io.ovnk.runtime.cfg"), "unknown.keys = warn\nmax.file.bytes = plenty\n");
            ovnkube.await("ERROR .*etc/io.ovnk.runtime.cfg: not applied: key 'max.file.bytes': \"plenty\" is not a long"
                    + ".*; the previous configuration of io.ovnk.runtime stays in force", LIVE);
            Files.writeString(etc.resolve("org.example.broken.cfg"), "key = \\uXYZW\n");
            ovnkube.await("ERROR .*etc/org.example.broken.cfg: not applied: syntax error: Malformed", LIVE);

            byte[] garbage = new byte[4096];
            new java.util.Random(7).nextBytes(garbage);
            Files.write(deploy.resolve("corrupt.jar"), garbage);
            ovnkube.await("ERROR .*deploy/corrupt.jar: not a readable jar \\(.*\\); ignored until it is replaced", LIVE);
            Files.write(deploy.resolve("unresolvable.jar"),
                    TestBundles.bundle("org.example.unresolvable", "1.0.0", "org.example.nowhere;version=\"[1,2)\""));
            ovnkube.await("ERROR .*deploy/unresolvable.jar: org.example.unresolvable 1.0.0 cannot start: missing package "
                    + "org.example.nowhere \\(version>=1.0.0, not version>=2.0.0\\)", LIVE);

            // the framework and every other bundle keep running: a good jar and a good file still work
            Files.write(deploy.resolve("good.jar"), TestBundles.bundle("org.example.good", "1.0.0", null));
            ovnkube.await("deploy/good.jar: started org.example.good 1.0.0", LIVE);
            Files.writeString(etc.resolve("org.example.fine.cfg"), "a = b\n");
            ovnkube.await("etc/org.example.fine.cfg: applied to org.example.fine", LIVE);
            assertTrue(ovnkube.process().isAlive());

            // one line per bad file, not a line per FileInstall retry or rescan
            assertEquals(1, ovnkube.count("ERROR", "corrupt.jar"), String.join("\n", ovnkube.output()));
            assertEquals(1, ovnkube.count("ERROR", "unresolvable.jar"), String.join("\n", ovnkube.output()));
            assertEquals(1, ovnkube.count("ERROR", "org.example.broken.cfg"), String.join("\n", ovnkube.output()));
            assertEquals(1, ovnkube.count("ERROR", "io.ovnk.runtime.cfg"), String.join("\n", ovnkube.output()));
        }
    }

    @Test
    void badLauncherSettingsStopTheStartWithStatus2NamingTheKey() throws Exception {
        try (Ovnkube ovnkube = new Ovnkube(dir)) {
            Files.writeString(ovnkube.home().resolve("etc/io.ovnk.launcher.cfg"), "roles = master, nodes\n");
            ovnkube.start();
            assertEquals(2, ovnkube.waitForExit(START));
            assertTrue(ovnkube.output().contains(
                    "ovnkube: etc/io.ovnk.launcher.cfg: key 'roles': \"nodes\" is not a role (master, node)"),
                    String.join("\n", ovnkube.output()));
        }
    }

    @Test
    void unknownCommandsExitWithStatus2AndUsage() throws Exception {
        try (Ovnkube ovnkube = new Ovnkube(dir)) {
            Map.Entry<Integer, String> result = ovnkube.run("frobnicate");
            assertEquals(2, result.getKey());
            assertTrue(result.getValue().contains("unknown command \"frobnicate\""), result.getValue());
            assertTrue(result.getValue().contains("usage: ovnkube"), result.getValue());
        }
    }

    @Test
    void aSecondProcessOnTheSameDirectoryIsRefused() throws Exception {
        try (Ovnkube first = new Ovnkube(dir).start()) {
            first.await("ovnk started in", START);
            Map.Entry<Integer, String> second = first.run("run");
            assertEquals(2, second.getKey());
            assertTrue(second.getValue().contains("another ovnkube (pid " + first.process().pid() + ") runs from"),
                    second.getValue());
            assertTrue(first.process().isAlive());
        }
    }

    @Test
    void consoleGivesAnInteractiveGogoShell() throws Exception {
        try (Ovnkube ovnkube = new Ovnkube(dir).start("console")) {
            ovnkube.await("framework up in", START);
            ovnkube.stdin().write("lb -s io.ovnk\n".getBytes());
            ovnkube.stdin().flush();
            ovnkube.await("Active.*io\\.ovnk\\.runtime", LIVE);
            ovnkube.stdin().close(); // end of input ends the shell, and with it the framework
            assertEquals(0, ovnkube.waitForExit(LIVE));
        }
    }

    @Test
    void startRunsInTheBackgroundUntilStop() throws Exception {
        try (Ovnkube ovnkube = new Ovnkube(dir)) {
            Map.Entry<Integer, String> started = ovnkube.run("start");
            assertEquals(0, started.getKey(), started.getValue());
            Matcher pid = java.util.regex.Pattern.compile("pid (\\d+)").matcher(started.getValue());
            assertTrue(pid.find(), started.getValue());
            ProcessHandle process = ProcessHandle.of(Long.parseLong(pid.group(1))).orElseThrow();
            try {
                Path log = ovnkube.home().resolve("log/ovnk.log");
                LogFile.await(log, "ovnk started in", START);
                Map.Entry<Integer, String> status = ovnkube.run("status");
                assertEquals(0, status.getKey(), status.getValue());
                assertTrue(status.getValue().contains("ovnkube runs (pid " + process.pid() + ")"), status.getValue());

                Map.Entry<Integer, String> stopped = ovnkube.run("stop");
                assertEquals(0, stopped.getKey(), stopped.getValue());
                assertTrue(stopped.getValue().contains("ovnkube stopped"), stopped.getValue());
                assertEquals(3, ovnkube.run("status").getKey());
                LogFile.await(log, "ovnk stopping", LIVE);
            } finally {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void theTarballHoldsTheDistributionLayout() throws Exception {
        Path tarball = Path.of(System.getProperty("ovnk.distribution.tarball"));
        String base = "ovnk-" + System.getProperty("ovnk.version") + "/";
        Process tar = new ProcessBuilder("tar", "tvzf", tarball.toString()).redirectErrorStream(true).start();
        List<String> entries = new String(tar.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, tar.waitFor());
        for (String expected : List.of("bin/ovnkube", "conf/framework.properties", "conf/logback.xml",
                "etc/io.ovnk.launcher.cfg", "etc/io.ovnk.runtime.cfg", "features/platform.json", "features/core.json",
                "features/master.json", "features/node.json", "features/overlay.json", "features/underlay.json",
                "features/gateway.json", "lib/distribution.jar", "deploy/", "log/",
                "system/io/ovnk/runtime/" + System.getProperty("ovnk.version") + "/")) {
            assertTrue(entries.stream().anyMatch(line -> line.endsWith(base + expected)), "tarball lacks " + expected);
        }
        String script = entries.stream().filter(line -> line.endsWith(base + "bin/ovnkube")).findFirst().orElseThrow();
        assertTrue(script.startsWith("-rwxr-xr-x"), "bin/ovnkube must be executable: " + script);
    }

    private static long residentKiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
