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
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command: bin/ovnkube sandbox brings up a private OVN stack, a Kubernetes API endpoint and ovnk
 * (master, node, gateway), plugs two demo pods with the installed shim, puts a NodePort Service in front of one, and
 * its live checks pass; SIGTERM (Ctrl-C) leaves no process, namespace or file outside the distribution. With
 * {@code --nodes 2}, the echo pod runs on a second chassis whose node agent is a process of its own, so the checks
 * cross Geneve, and that process is stopped with the rest.
 */
@RequiresOvn
class SandboxIT {

    private static final Duration UP = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "--nodes {0}")
    @ValueSource(ints = { 1, 2 })
    void sandboxRunsADemoClusterWhoseLiveChecksPassAndRemovesEverythingOnStop(int nodes) throws Exception {
        Ovnkube ovnkube = new Ovnkube(dir);
        // as the README's command runs it: without the test copy's etc/io.ovnk.cni.cfg, so that a CNI server
        // starting on the node feature's defaults (/etc/cni, /opt/cni) before the sandbox's settings would show
        Files.delete(ovnkube.home().resolve("etc/io.ovnk.cni.cfg"));
        if (nodes == 1) {
            ovnkube.start("sandbox");
        } else {
            ovnkube.start("sandbox", "--nodes", String.valueOf(nodes));
        }
        try {
            Matcher nb = ovnkube.await("Northbound +(tcp:127\\.0\\.0\\.1:\\d+)", Duration.ofSeconds(60));
            Matcher namespace = ovnkube.await("br-int \\(userspace datapath\\) in network namespace (\\S+)",
                    Duration.ofSeconds(5));
            Matcher api = ovnkube.await("Kubernetes +(http://127\\.0\\.0\\.1:\\d+/)", Duration.ofSeconds(5));
            assertTrue(api.group(1).startsWith("http://127.0.0.1:"), api.group(0));

            if (nodes > 1) {
                ovnkube.await("chassis node" + nodes + " .*Geneve from", Duration.ofSeconds(5));
                Matcher up = ovnkube.await("is up; node agents (.*)$", UP);
                assertTrue(up.group(1).startsWith("node2 (pid "), up.group(0));
                ovnkube.await("pod +demo/echo .* on node" + nodes + ",", Duration.ofSeconds(5));
            }
            Matcher metrics = ovnkube.await("metrics +(http://127\\.0\\.0\\.1:\\d+/metrics)", UP);
            assertTrue(metrics.group(1).startsWith("http://127.0.0.1:"), metrics.group(0));
            for (String check : List.of("pod to pod: ", "pod to Service: ", "external host to NodePort: ", "metrics: ")) {
                Matcher result = ovnkube.await("live check +" + check + ".*\\): (.*)$", UP);
                assertEquals("ok", result.group(1), result.group(0) + "\n" + String.join("\n", ovnkube.output()));
                if (nodes > 1 && check.equals("pod to pod: ")) {
                    assertTrue(result.group(0).contains("node1 -> node" + nodes + " over Geneve"), result.group(0));
                }
            }
            ovnkube.await("ovnkube sandbox: ready", Duration.ofSeconds(5));

            // what it built is there while it runs: ovnk's rows in the Northbound, the CNI files inside the distribution
            Commands commands = new Commands(Map.of());
            String routers = commands.run("ovn-nbctl", "--timeout=10", "--db=" + nb.group(1), "--bare", "--columns=name",
                    "list", "Logical_Router");
            assertTrue(routers.contains("GR_node1") && routers.contains("ovn_cluster_router"), routers);
            Path cni = ovnkube.home().resolve("data/sandbox/cni");
            try (Stream<Path> files = Files.list(cni.resolve("net.d"))) {
                assertTrue(files.anyMatch(f -> f.toString().endsWith(".conflist")), "the conflist is in " + cni);
            }
            Path record = ovnkube.home().resolve("data/sandbox/daemons");
            List<Long> pids = Files.readAllLines(record).stream().map(line -> Long.parseLong(line.split(" ")[0])).toList();
            assertEquals(3 + 3 * nodes, pids.size(), "NB, SB, northd, and each chassis's ovsdb-server, ovs-vswitchd, "
                    + "ovn-controller");
            String prefix = namespace.group(1).replaceFirst("-c1$", "-");
            List<String> namespaces = sandboxNamespaces(prefix);
            assertTrue(namespaces.size() >= 4, "chassis, external host and two pods: " + namespaces);
            // what the sandbox started itself (the echo server), among this JVM's descendants
            List<ProcessHandle> children = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("IO::Socket::INET")).toList();
            assertEquals(1, children.size(), "the echo server runs: " + children);
            List<ProcessHandle> nodeAgents = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("io.ovnk.launcher.Main run")).toList();
            assertEquals(nodes - 1, nodeAgents.size(), "a node agent process per further node: " + nodeAgents);
            children = new java.util.ArrayList<>(children);
            children.addAll(nodeAgents);

            ovnkube.sigterm();
            ovnkube.await("ovnkube: stopped in \\d+ ms", Duration.ofSeconds(90));
            assertEquals(143, ovnkube.waitForExit(Duration.ofSeconds(30)));
            for (long pid : pids) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "daemon " + pid + " left running");
            }
            for (ProcessHandle child : children) {
                assertFalse(child.isAlive(), "process " + child.pid() + " " + child.info().command().orElse("")
                        + " left running");
            }
            assertEquals(List.of(), sandboxNamespaces(prefix), "namespaces left behind");
            for (Path outside : List.of(Path.of("/etc/cni/net.d"), Path.of("/opt/cni/bin"))) {
                if (Files.isDirectory(outside)) {
                    try (Stream<Path> files = Files.list(outside)) {
                        List<Path> ovnk = files.filter(f -> f.getFileName().toString().contains("ovn")).toList();
                        assertEquals(List.of(), ovnk, "ovnk files outside the distribution");
                    }
                }
            }
            assertFalse(Files.exists(ovnkube.home().resolve("data/flags.json")), "the run layer is removed");
        } finally {
            // on a failure too: SIGTERM lets the sandbox remove its stack and namespaces; close() only kills
            ovnkube.sigterm();
            ovnkube.waitForExit(Duration.ofSeconds(90));
            ovnkube.close();
        }
    }

    private static List<String> sandboxNamespaces(String prefix) throws Exception {
        Path netns = Path.of("/run/netns");
        if (!Files.isDirectory(netns)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(netns)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        }
    }
}
