package io.ovnk.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.metrics.Counter;
import io.ovnk.metrics.Histogram;
import io.ovnk.shell.ComponentStatus;
import io.ovnk.shell.HealthReport;
import io.ovnk.shell.Reason;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsComponentTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private MetricsComponent component;

    @AfterEach
    void deactivate() {
        if (component != null) {
            component.deactivate();
        }
    }

    @Test
    void servesMetricsThatMoveHealthzAndReadyz() throws Exception {
        component = new MetricsComponent(config(true, "127.0.0.1", 0));
        Counter requests = Counter.of("ovnk_test_requests_total", "requests", "result");
        Histogram latency = Histogram.of("ovnk_test_duration_seconds", "latency", List.of(0.1));
        component.bindSource(() -> List.of(requests, latency));
        int port = component.address().orElseThrow().getPort();

        HttpResponse<String> before = get(port, "/metrics");
        assertEquals(200, before.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", before.headers().firstValue("Content-Type").orElse(""));
        assertTrue(before.body().contains("ovnk_test_duration_seconds_count 0\n"), before.body());
        assertFalse(before.body().contains("ovnk_test_requests_total{"), before.body());

        requests.inc("ok");
        latency.observe(0.05);
        HttpResponse<String> after = get(port, "/metrics");
        assertTrue(after.body().contains("ovnk_test_requests_total{result=\"ok\"} 1\n"), after.body());
        assertTrue(after.body().contains("ovnk_test_duration_seconds_bucket{le=\"0.1\"} 1\n"), after.body());
        assertTrue(after.body().contains("ovnk_test_duration_seconds_count 1\n"), after.body());

        assertEquals(200, get(port, "/healthz").statusCode());
        assertEquals(404, get(port, "/metricsx").statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(port, "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void readyzIs503NamingTheComponentAndWhyAnd200WhenAllRun() throws Exception {
        component = new MetricsComponent(config(true, "127.0.0.1", 0));
        int port = component.address().orElseThrow().getPort();
        HttpResponse<String> noHealth = get(port, "/readyz");
        assertEquals(503, noHealth.statusCode());
        assertTrue(noHealth.body().contains("Health service"), noHealth.body());

        ComponentStatus running = new ComponentStatus("io.ovnk.kube", "io.ovnk.kube.internal.InformersComponent", 3,
                ComponentStatus.Verdict.RUNNING, "active", List.of());
        ComponentStatus waiting = new ComponentStatus("io.ovnk.master", "io.ovnk.master.internal.MasterComponent", 4,
                ComponentStatus.Verdict.WAITING, "unsatisfied reference", List.of(Reason.reference(false, "$000",
                        "io.ovnk.ipam.Ipam", null, "io.ovnk.ipam.internal.IpamComponent needs configuration io.ovnk.ipam")));
        ComponentStatus notConfigured = new ComponentStatus("io.ovnk.cni", "io.ovnk.cni.internal.CniComponent", -1,
                ComponentStatus.Verdict.NOT_CONFIGURED, "unsatisfied configuration",
                List.of(Reason.missingConfiguration("io.ovnk.cni", false)));
        component.bindHealth(() -> HealthReport.of(List.of(running, waiting, notConfigured)));
        HttpResponse<String> unready = get(port, "/readyz");
        assertEquals(503, unready.statusCode());
        String[] lines = unready.body().split("\n");
        assertTrue(lines[0].startsWith("not ready: 3 ovnk components, 1 running, 1 not satisfied"), unready.body());
        assertTrue(lines[1].contains("io.ovnk.master.internal.MasterComponent #4 (io.ovnk.master): waiting: reference "
                + "to io.ovnk.ipam.Ipam: io.ovnk.ipam.internal.IpamComponent needs configuration io.ovnk.ipam"),
                unready.body());
        assertTrue(unready.body().contains("io.ovnk.cni.internal.CniComponent (io.ovnk.cni): not configured"),
                unready.body());

        component.bindHealth(() -> HealthReport.of(List.of(running, notConfigured)));
        HttpResponse<String> ready = get(port, "/readyz");
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().startsWith("ready: 2 ovnk components, 1 running\n"), ready.body());
    }

    @Test
    void badSettingsNameTheKey() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> Settings.of(true, "127.0.0.1", 70000));
        assertTrue(port.getMessage().startsWith("io.ovnk.metrics: port 70000 is out of range"), port.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> Settings.of(true, "127.0.0.1", -1));
        assertTrue(negative.getMessage().contains("port -1"), negative.getMessage());
        IllegalArgumentException address = assertThrows(IllegalArgumentException.class,
                () -> Settings.of(true, "no such host.invalid", 9409));
        assertTrue(address.getMessage().startsWith("io.ovnk.metrics: bind.address \"no such host.invalid\""),
                address.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.of(true, " ", 9409)).getMessage()
                .contains("bind.address is empty"));
    }

    @Test
    void badPortDoesNotStopWhatIsServed() throws Exception {
        component = new MetricsComponent(config(true, "127.0.0.1", 70000));
        assertTrue(component.address().isEmpty());
        component.modified(config(true, "127.0.0.1", 0));
        InetSocketAddress serving = component.address().orElseThrow();
        component.modified(config(true, "127.0.0.1", 70000));
        assertEquals(serving, component.address().orElseThrow());
        assertEquals(200, get(serving.getPort(), "/healthz").statusCode());
    }

    @Test
    void portInUseIsAClearErrorNotACrash() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IOException refused = assertThrows(IOException.class, () -> HttpEndpoint.start(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()), null));
            assertTrue(refused.getMessage().contains("cannot listen") && refused.getMessage().contains(
                    "port " + taken.getLocalPort()), refused.getMessage());

            component = new MetricsComponent(config(true, "127.0.0.1", taken.getLocalPort()));
            assertTrue(component.address().isEmpty());
            // the same configuration applied again once the port is free serves
            taken.close();
            component.modified(config(true, "127.0.0.1", taken.getLocalPort()));
            assertEquals(taken.getLocalPort(), component.address().orElseThrow().getPort());
        }
    }

    @Test
    void modifiedRebindsToTheNewPortAndStopsTheOld() throws Exception {
        int first = freePort();
        component = new MetricsComponent(config(true, "127.0.0.1", first));
        assertEquals(200, get(first, "/healthz").statusCode());
        int second = freePort();
        assertNotEquals(first, second);
        component.modified(config(true, "127.0.0.1", second));
        assertEquals(200, get(second, "/healthz").statusCode());
        assertThrows(ConnectException.class, () -> get(first, "/healthz"));

        component.modified(config(false, "127.0.0.1", second));
        assertTrue(component.address().isEmpty());
        assertThrows(ConnectException.class, () -> get(second, "/healthz"));
    }

    @Test
    void deactivateStopsTheWorkerThreads() throws Exception {
        component = new MetricsComponent(config(true, "127.0.0.1", 0));
        int port = component.address().orElseThrow().getPort();
        assertEquals(200, get(port, "/healthz").statusCode());
        assertTrue(workers(port) > 0);
        component.deactivate();
        component = null;
        assertEquals(0, workers(port));
    }

    private static long workers(int port) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("ovnk-metrics-http-" + port + "-") && thread.isAlive())
                .count();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static MetricsComponent.Config config(boolean enabled, String address, int port) {
        return new MetricsComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return MetricsComponent.Config.class;
            }

            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public String bind_address() {
                return address;
            }

            @Override
            public int port() {
                return port;
            }
        };
    }
}
