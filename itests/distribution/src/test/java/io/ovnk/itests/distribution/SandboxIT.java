package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.Commands;
import io.ovnk.ovnstack.junit.RequiresOvn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command: bin/ovnkube sandbox brings up a private OVN stack and ovnk, and Ctrl-C removes both. */
@RequiresOvn
class SandboxIT {

    @TempDir
    Path dir;

    @Test
    void sandboxRunsOvnkOnAPrivateOvnStackAndRemovesEverythingOnStop() throws Exception {
        try (Ovnkube ovnkube = new Ovnkube(dir).start("sandbox")) {
            Matcher nb = ovnkube.await("Northbound +(tcp:127\\.0\\.0\\.1:\\d+)", Duration.ofSeconds(60));
            Matcher namespace = ovnkube.await("br-int \\(userspace datapath\\) in network namespace (\\S+)", Duration.ofSeconds(5));
            ovnkube.await("ovnk started in", Duration.ofSeconds(60));

            Commands commands = new Commands(Map.of());
            String added = commands.run("ovn-nbctl", "--timeout=10", "--db=" + nb.group(1), "ls-add", "sandbox-check");
            assertEquals("", added.strip());
            assertTrue(commands.run("ovn-nbctl", "--timeout=10", "--db=" + nb.group(1), "ls-list").contains("sandbox-check"));
            Path record = ovnkube.home().resolve("data/sandbox/daemons");
            List<Long> pids = Files.readAllLines(record).stream().map(line -> Long.parseLong(line.split(" ")[0])).toList();
            assertEquals(6, pids.size(), "NB, SB, northd, and the chassis's ovsdb-server, ovs-vswitchd, ovn-controller");
            assertTrue(Files.exists(Path.of("/run/netns", namespace.group(1))));

            ovnkube.sigterm();
            ovnkube.await("ovnkube: stopped in \\d+ ms", Duration.ofSeconds(60));
            assertEquals(143, ovnkube.waitForExit(Duration.ofSeconds(30)));
            for (long pid : pids) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "daemon " + pid + " left running");
            }
            assertFalse(Files.exists(Path.of("/run/netns", namespace.group(1))), "namespace left behind");
        }
    }
}
