package io.ovnk.itests.framework;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.function.Predicate;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The exporter inside Felix: configured through Config Admin, it serves the metrics of every bundle's
 * MetricSource services, and a bundle that stops takes its metrics with it (and brings them back when it starts).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetricsExporterIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configAdmin;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Configuration
    public Option[] config() throws Exception {
        Path defaults = Path.of(System.getProperty("ovnk.test.resources"), "test-defaults.json");
        return Provisioning.features(List.of("platform", "core"), List.of(defaults));
    }

    @Test
    public void aStoppedBundleTakesItsMetricsWithItAndBringsThemBack() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        org.osgi.service.cm.Configuration metrics = configAdmin.getConfiguration("io.ovnk.metrics", "?");
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("enabled", true);
        properties.put("bind.address", "127.0.0.1");
        properties.put("port", port);
        metrics.update(properties);
        Bundle ovsdb = bundle("io.ovnk.ovsdb");
        try {
            String url = "http://127.0.0.1:" + port + "/metrics";
            String first = await(url, body -> body.contains("# TYPE ovnk_ovsdb_reconnects_total counter"));
            assertTrue(first, first.contains("\novnk_leader 0\n"));

            ovsdb.stop();
            String without = scrape(url);
            assertFalse(without, without.contains("ovnk_ovsdb_"));
            assertTrue("the other bundles' metrics stay: " + without, without.contains("# TYPE ovnk_leader gauge"));

            ovsdb.start();
            await(url, body -> body.contains("# TYPE ovnk_ovsdb_transaction_duration_seconds histogram"));
        } finally {
            if (ovsdb.getState() != Bundle.ACTIVE) {
                ovsdb.start();
            }
            metrics.delete();
        }
        assertEquals(Bundle.ACTIVE, ovsdb.getState());
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    private String scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /**
     * Config Admin and SCR apply a change on their own threads and say nothing over HTTP: the scrape is asked again
     * (every 50 ms) until it shows what is expected, within a deadline.
     */
    private String await(String url, Predicate<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "(no answer)";
        while (System.nanoTime() < deadline) {
            try {
                last = scrape(url);
                if (expected.test(last)) {
                    return last;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(50);
        }
        throw new AssertionError(url + " did not show what was expected within " + WAIT.toSeconds() + " s; last: " + last);
    }
}
