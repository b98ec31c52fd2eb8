package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.itests.distribution.Cluster.CniOutcome;
import io.ovnk.itests.distribution.Cluster.NodeAgent;
import io.ovnk.ovnstack.junit.RequiresOvn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics and health of a real bin/ovnkube (master and node) over HTTP: off as shipped, on by saving
 * etc/io.ovnk.metrics.cfg while it runs; a pod plugged by the shim moves the CNI, pod set-up, OVSDB, queue and IPAM
 * metrics; /readyz says 503 naming the component whose configuration was taken away.
 */
@RequiresOvn
class MetricsIT {

    private static final String NODE = "node-m";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void scrapedMetricsMoveWithAPodAndReadinessNamesWhatIsMissing() throws Exception {
        try (Cluster cluster = new Cluster(dir, 1)) {
            NodeAgent node = cluster.startNode(NODE, 0, "master, node");
            Path etc = node.ovnkube().home().resolve("etc");
            assertTrue(Files.readString(etc.resolve("io.ovnk.metrics.cfg")).contains("enabled = false"),
                    "the shipped etc/ has metrics off");
            node.ovnkube().awaitAnywhere("metrics: off", Cluster.START);
            Files.writeString(etc.resolve("io.ovnk.metrics.cfg"), "enabled = true\nbind.address = 127.0.0.1\nport = 0\n");
            Matcher serving = node.ovnkube().await("metrics: serving (http://127\\.0\\.0\\.1:\\d+)/metrics", Cluster.START);
            String base = serving.group(1);
            node.ovnkube().awaitAnywhere("CNI server: listening on", Cluster.START);
            node.ovnkube().awaitAnywhere("node " + NODE + ": overlay set-up complete", Cluster.START);

            assertEquals("ok\n", get(base + "/healthz").body());
            HttpResponse<String> ready = get(base + "/readyz");
            assertEquals(200, ready.statusCode(), ready.body());
            Map<String, Double> before = scrape(base);
            assertEquals(1.0, before.get("ovnk_leader"), "this process leads");
            String subnet = nodeSubnet(before);
            String allocated = "ovnk_ipam_subnet_allocated_addresses{node=\"" + NODE + "\",subnet=\"" + subnet + "\"}";
            assertEquals(0.0, before.get(allocated), "no pod yet");

            Pod pod = cluster.createPod("default", "scraped", NODE);
            io.ovnk.ovnstack.Pod netns = cluster.stack.createPod("scraped");
            String sandbox = UUID.randomUUID().toString().replace("-", "");
            CniOutcome add = cluster.cni(node, "ADD", sandbox, "/var/run/netns/" + netns.namespace(), "eth0", pod, null);
            assertEquals(0, add.exitCode(), add.stdout() + add.stderr());

            Map<String, Double> after = scrape(base);
            String addsOk = "ovnk_cni_request_duration_seconds_count{command=\"ADD\",result=\"ok\"}";
            assertEquals(value(before, addsOk) + 1, value(after, addsOk), "one more ADD served");
            assertEquals(after.get(addsOk), after.get(
                    "ovnk_cni_request_duration_seconds_bucket{command=\"ADD\",result=\"ok\",le=\"+Inf\"}"));
            assertTrue(value(after, "ovnk_cni_request_duration_seconds_sum{command=\"ADD\",result=\"ok\"}")
                    > value(before, "ovnk_cni_request_duration_seconds_sum{command=\"ADD\",result=\"ok\"}"));
            String nodeSetup = "ovnk_node_pod_setup_duration_seconds_count{mode=\"overlay\"}";
            assertEquals(value(before, nodeSetup) + 1, value(after, nodeSetup), "the node set the pod up");
            String masterSetup = "ovnk_master_pod_annotation_duration_seconds_count";
            assertEquals(value(before, masterSetup) + 1, value(after, masterSetup), "the master annotated the pod");
            assertEquals(1.0, after.get(allocated), "the pod's address is allocated in " + subnet);
            String nbOk = "ovnk_ovsdb_transaction_duration_seconds_count{database=\"OVN_Northbound\",result=\"ok\"}";
            assertTrue(value(after, nbOk) > value(before, nbOk), "the master wrote the pod's port to the Northbound");
            String podsHandled = "ovnk_kube_queue_handled_total{queue=\"ovnk-master-pods\",resource=\"Pod\"}";
            assertTrue(value(after, podsHandled) > value(before, podsHandled), "the master's pod queue handled it: "
                    + after.keySet().stream().filter(k -> k.startsWith("ovnk_kube_queue_handled_total")).toList());

            // a required configuration taken away: the master's Northbound connection
            Files.delete(etc.resolve("io.ovnk.ovsdb.connection~nb.cfg"));
            // SCR takes the master down as the connection's service goes, before the connection says it closed
            node.ovnkube().await("OVN_Northbound: connection closed", Cluster.START);
            // /readyz reads SCR's runtime view when asked, and SCR may still be moving the master between states
            // right after that line (a clean-clone run once saw every component counted as running): ask again,
            // for a few seconds, until it says what a settled SCR says
            HttpResponse<String> unready = get(base + "/readyz");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (unready.statusCode() != 503 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                unready = get(base + "/readyz");
            }
            assertEquals(503, unready.statusCode(), unready.body());
            assertTrue(unready.body().startsWith("not ready"), unready.body());
            assertTrue(unready.body().contains("io.ovnk.master.internal.MasterComponent"), unready.body());
            assertTrue(unready.body().contains("io.ovnk.ovsdb.connection"), "names the missing configuration: "
                    + unready.body());
        }
    }

    private static String nodeSubnet(Map<String, Double> metrics) {
        return metrics.keySet().stream().filter(k -> k.startsWith("ovnk_ipam_subnet_allocatable_addresses{node=\""
                + NODE + "\"")).map(k -> k.replaceFirst(".*subnet=\"([^\"]+)\".*", "$1")).findFirst()
                .orElseThrow(() -> new AssertionError("no node subnet of " + NODE + " in " + metrics.keySet()));
    }

    private static double value(Map<String, Double> metrics, String series) {
        return metrics.getOrDefault(series, 0.0);
    }

    /** Each sample line of the exposition as series to value; checks the format's HELP/TYPE lines on the way. */
    private Map<String, Double> scrape(String base) throws Exception {
        HttpResponse<String> response = get(base + "/metrics");
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type")
                .orElse(""));
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("#")) {
                assertTrue(line.matches("# (HELP|TYPE) ovnk_\\w+ .+"), line);
                continue;
            }
            int space = line.lastIndexOf(' ');
            assertTrue(line.startsWith("ovnk_") && space > 0, line);
            String value = line.substring(space + 1);
            samples.put(line.substring(0, space), value.equals("+Inf") ? Double.POSITIVE_INFINITY
                    : Double.parseDouble(value));
        }
        return samples;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
