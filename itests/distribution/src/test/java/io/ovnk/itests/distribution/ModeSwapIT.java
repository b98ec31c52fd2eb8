package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.itests.distribution.Cluster.CniOutcome;
import io.ovnk.itests.distribution.Cluster.NodeAgent;
import io.ovnk.ovnstack.Commands;
import io.ovnk.ovnstack.junit.RequiresOvn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The mode bundle stopped and started in a running ovnkube (from its Gogo console): meanwhile CNI answers "try
 * again later" and STATUS is not ready, the master binds no new pod, and running pods keep their traffic; once it
 * is back, everything resumes without a framework restart.
 */
@RequiresOvn
class ModeSwapIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LIVE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void stoppingTheModeBundlePausesNewPodsAndKeepsRunningOnesAndStartingItResumes() throws Exception {
        try (Cluster cluster = new Cluster(dir, 1)) {
            cluster.withConsole();
            NodeAgent node = cluster.startNode("node-a", 0, "master, node");
            node.ovnkube().awaitAnywhere("node node-a: overlay set-up complete", Cluster.START);
            Pod api1 = cluster.createPod("default", "steady", "node-a");
            io.ovnk.ovnstack.Pod steady = cluster.stack.createPod("steady");
            JsonNode result = JSON.readTree(added(cluster.cni(node, "ADD", sandbox(), netns(steady), "eth0", api1, null)));
            String gateway = result.get("ips").get(0).get("gateway").asString();
            assertTrue(steady.ping(gateway), "the first pod talks before the swap");

            // a ping running across the stop and the start of the mode bundle
            CompletableFuture<Commands.Result> pinging = CompletableFuture.supplyAsync(() -> steady.tryExec(
                    Duration.ofSeconds(60), "ping", "-i", "0.05", "-w", "25", "-W", "1", gateway));

            String id = gogo(node, "lb -s io.ovnk.overlay", "(\\d+)\\|Active\\s*\\|.*\\|io\\.ovnk\\.overlay").group(1);
            node.ovnkube().console("stop " + id);
            node.ovnkube().awaitEach(LIVE, "CNI server: network mode overlay is gone",
                    "master: network mode overlay is gone");

            CniOutcome status = cluster.exec(node, Map.of("CNI_COMMAND", "STATUS", "CNI_PATH", node.cniBin().toString()),
                    cluster.pluginConfig(node, null));
            assertEquals(50, code(status), "STATUS without a mode: " + status.stdout());
            Pod api2 = cluster.createPod("default", "newcomer", "node-a");
            io.ovnk.ovnstack.Pod newcomer = cluster.stack.createPod("newcomer");
            String newcomerSandbox = sandbox();
            CniOutcome refused = cluster.cni(node, "ADD", newcomerSandbox, netns(newcomer), "eth0", api2, null);
            assertEquals(11, code(refused), "ADD without a mode: try again later: " + refused.stdout());
            // the master binds no new pod meanwhile (its queue says so), and leaves the running one alone
            node.ovnkube().await("default/newcomer failed \\(attempt 3\\).*no network mode bundle", LIVE);
            assertEquals("", cluster.stack.nbctl("--bare", "--columns=name", "find", "Logical_Switch_Port",
                    "name=default_newcomer").strip(), "no port for a pod created while no mode runs");
            assertEquals("default_steady", cluster.stack.nbctl("--bare", "--columns=name", "find",
                    "Logical_Switch_Port", "name=default_steady").strip(), "the running pod's port stays");

            node.ovnkube().console("start " + id);
            node.ovnkube().awaitEach(LIVE, "CNI server: network mode overlay plumbs pods",
                    "master: network mode overlay is active", "node node-a: overlay set-up complete");
            String newcomerIp = address(JSON.readTree(added(cluster.cni(node, "ADD", newcomerSandbox, netns(newcomer),
                    "eth0", api2, null))));
            // pods plumbed before and after the restart reach each other (this once failed in one run in four: a
            // second processing of the new pod from a stale informer copy re-addressed it after CNI ADD had read
            // its first address; MasterStaleReadTest holds the cause)
            String steadyIp = result.get("ips").get(0).get("address").asString().split("/")[0];
            boolean a = firstReply(newcomer, steadyIp, "the pod plumbed after the mode came back reaches the first one");
            boolean b = firstReply(steady, newcomerIp, "the first pod reaches the pod plumbed after the mode came back");
            if (!a || !b) {
                printState(cluster, steady, newcomer);
            }
            assertTrue(a && b, "pods plumbed before and after the mode restart reach each other (state printed above)");

            Commands.Result ping = pinging.get(60, TimeUnit.SECONDS);
            Matcher stats = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(ping.stdout());
            assertTrue(stats.find(), ping.stdout());
            int sent = Integer.parseInt(stats.group(1));
            int received = Integer.parseInt(stats.group(2));
            System.out.printf("mode swap: %d of %d pings answered across stop and start of the mode bundle%n", received,
                    sent);
            assertTrue(sent - received <= 5, "the running pod's traffic went on: " + received + " of " + sent);
        }
    }

    /** Pings until the first reply, for at most 10 s; prints how long it took; false without a reply. */
    private static boolean firstReply(io.ovnk.ovnstack.Pod from, String to, String what) {
        long start = System.nanoTime();
        Commands.Result result = from.tryExec(Duration.ofSeconds(20), "ping", "-c", "1", "-i", "0.1", "-w", "10", to);
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (result.exitCode() == 0) {
            System.out.printf("mode swap: %s: first reply after %d ms%n", what, millis);
            return true;
        }
        System.out.printf("mode swap: FAILED: %s: no reply within %d ms: %s%n", what, millis, result.stdout());
        return false;
    }

    /** What an operator would look at, printed for the failure report. */
    private static void printState(Cluster cluster, io.ovnk.ovnstack.Pod... pods) {
        System.out.println("northbound:\n" + cluster.stack.nbctl("show"));
        System.out.println(cluster.stack.nbctl("--columns=name,addresses,port_security", "list", "Logical_Switch_Port"));
        System.out.println(cluster.stack.chassis(0).vsctl("--columns=name,external_ids,ofport,link_state", "list",
                "Interface"));
        for (io.ovnk.ovnstack.Pod pod : pods) {
            for (String[] command : new String[][] { { "ip", "addr" }, { "ip", "neigh" }, { "ip", "route" } }) {
                System.out.println(pod.name() + ": " + pod.tryExec(Duration.ofSeconds(5), command).stdout());
            }
        }
        System.out.println(cluster.stack.sbctl("--columns=logical_port,mac,chassis,up", "list", "Port_Binding"));
    }

    /** Runs a Gogo command on the node's console and returns the first output line matching {@code regex}. */
    private static Matcher gogo(NodeAgent node, String command, String regex) throws Exception {
        node.ovnkube().console(command);
        return node.ovnkube().await(regex, LIVE);
    }


    private static String added(CniOutcome outcome) {
        assertEquals(0, outcome.exitCode(), "ADD: " + outcome.stdout() + outcome.stderr());
        return outcome.stdout();
    }

    private static int code(CniOutcome outcome) {
        assertEquals(1, outcome.exitCode(), "the shim fails: " + outcome.stdout());
        return JSON.readTree(outcome.stdout()).get("code").asInt();
    }

    private static String address(JsonNode result) {
        return result.get("ips").get(0).get("address").asString().split("/")[0];
    }

    private static String netns(io.ovnk.ovnstack.Pod pod) {
        return "/var/run/netns/" + pod.namespace();
    }

    private static String sandbox() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }
}
