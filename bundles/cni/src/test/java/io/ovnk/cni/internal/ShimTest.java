package io.ovnk.cni.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.network.spi.PodPlumber;
import io.ovnk.network.spi.Readiness;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/** The compiled shim, executed as kubelet executes it (CNI_* environment, configuration on stdin), against the server. */
class ShimTest {

    private static final Logger LOG = LoggerFactory.getLogger(ShimTest.class);

    @TempDir
    Path dir;
    Path shim;
    Path socket;
    String netns;
    final PodWaiterTest.MapLister cache = new PodWaiterTest.MapLister();
    final PodWaiter waiter = new PodWaiter(cache);
    final RecordingPlumber plumber = new RecordingPlumber();
    final AtomicReference<PodPlumber> present = new AtomicReference<>(plumber);
    final AtomicReference<UnixHttpServer.Limits> limits = new AtomicReference<>(
            new UnixHttpServer.Limits(1024 * 1024, Duration.ofSeconds(10)));
    /** The request bodies the server received. */
    final List<byte[]> received = Collections.synchronizedList(new ArrayList<>());
    UnixHttpServer server;

    /** What the shim printed and how it exited. */
    record Run(int exit, String stdout, String stderr) {
        JsonNode json() {
            return CniRequestParser.JSON.readTree(stdout);
        }
    }

    @BeforeEach
    void start() throws Exception {
        shim = shimPath();
        socket = dir.resolve("cni/server.sock");
        netns = Files.createFile(dir.resolve("netns")).toString();
        CniService service = new CniService(present::get, waiter,
                () -> new CniService.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), 1400));
        server = UnixHttpServer.start(socket, body -> {
            received.add(body);
            CniService.Reply reply = service.handle(body);
            return new UnixHttpServer.Response(reply.status(), reply.body());
        }, limits::get, 8);
    }

    @AfterEach
    void stop() {
        server.close();
        waiter.close();
    }

    static Path shimPath() throws URISyntaxException {
        java.net.URL url = ShimTest.class.getResource(CniInstaller.SHIM_RESOURCE);
        assertTrue(url != null, "the build compiles the shim into target/classes" + CniInstaller.SHIM_RESOURCE);
        Path path = Path.of(url.toURI());
        assertTrue(Files.isExecutable(path), path + " is executable");
        return path;
    }

    private String config(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"ovn-kubernetes\",\"type\":\"ovn-k8s-cni-overlay\","
                + "\"socketPath\":\"" + socket + "\"}";
    }

    private Map<String, String> podEnv(String command, String name, String uid) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "3f2a9c" + name);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + name + ";K8S_POD_UID=" + uid);
        env.put("CNI_PATH", "/opt/cni/bin");
        return env;
    }

    /** Executes the shim with exactly this environment and this stdin. */
    Run exec(Map<String, String> env, byte[] stdin) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(shim.toString());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException closedEarly) {
            // the shim may exit before reading everything
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the shim ends");
        return new Run(process.exitValue(), new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }

    Run exec(Map<String, String> env, String stdin) throws Exception {
        return exec(env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private void podArrives(String name, String uid) {
        cache.pods.put("default/" + name, MockApi.pod("default", name, uid, CniServiceTest.NETWORK));
    }

    @Test
    void addPrintsTheResultAndExitsZero() throws Exception {
        podArrives("web-1", "uid-1");
        Run run = exec(podEnv("ADD", "web-1", "uid-1"), config("1.0.0"));
        assertEquals(0, run.exit(), run.toString());
        assertEquals(CniRequestParser.JSON.readTree("""
                {"cniVersion":"1.0.0",
                 "interfaces":[{"name":"3f2a9cweb-1","mac":"aa:bb:cc:dd:ee:ff"},
                               {"name":"eth0","mac":"0a:58:0a:80:00:05","sandbox":"%s"}],
                 "ips":[{"address":"10.128.0.5/23","gateway":"10.128.0.1","interface":1}],
                 "routes":[{"dst":"0.0.0.0/0","gw":"10.128.0.1"},{"dst":"172.16.1.0/24","gw":"10.128.0.1"}],
                 "dns":{}}""".formatted(netns)), run.json());
        assertEquals("default_web-1", plumber.plumbed.get(0).ifaceId());
        assertEquals("", run.stderr());
    }

    @Test
    void addTakesLittleTimeFromExecToResult() throws Exception {
        podArrives("web-1", "uid-1");
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            long start = System.nanoTime();
            Run run = exec(podEnv("ADD", "web-1", "uid-1"), config("1.1.0"));
            micros.add((System.nanoTime() - start) / 1000);
            assertEquals(0, run.exit(), run.toString());
        }
        Collections.sort(micros);
        long p50 = micros.get(micros.size() / 2);
        LOG.info("shim ADD against the server (test plumber): p50 {} us, max {} us", p50, micros.get(micros.size() - 1));
        assertTrue(p50 < 100_000, "p50 " + p50 + " us");
    }

    @Test
    void delPrintsNothingAndExitsZero() throws Exception {
        Run run = exec(podEnv("DEL", "gone", "uid-9"), config("1.1.0"));
        assertEquals(0, run.exit(), run.toString());
        assertEquals("", run.stdout());
        assertEquals(List.of("3f2a9cgone", netns, "eth0"), plumber.unplumbed.get(0));
    }

    @Test
    void versionIsAnsweredByTheServerAndLocallyAlike() throws Exception {
        Run remote = exec(Map.of("CNI_COMMAND", "VERSION"), config("1.1.0"));
        assertEquals(0, remote.exit(), remote.toString());
        assertEquals(CniResults.version(), remote.json());
        assertEquals(1, received.size(), "the server answered");
        server.close();
        Run local = exec(Map.of("CNI_COMMAND", "VERSION"), config("1.1.0"));
        assertEquals(0, local.exit(), local.toString());
        assertEquals(remote.json(), local.json());
    }

    @Test
    void statusIsEmptySuccessWhenReadyAndError50WhenNot() throws Exception {
        Run ready = exec(Map.of("CNI_COMMAND", "STATUS"), config("1.1.0"));
        assertEquals(0, ready.exit(), ready.toString());
        assertEquals("", ready.stdout());
        plumber.readiness = Readiness.notReady("br-int is missing");
        Run notReady = exec(Map.of("CNI_COMMAND", "STATUS"), config("1.1.0"));
        assertEquals(1, notReady.exit());
        assertEquals(50, notReady.json().get("code").asInt());
        assertTrue(notReady.json().get("msg").asString().contains("br-int is missing"), notReady.stdout());
        present.set(null);
        Run noMode = exec(Map.of("CNI_COMMAND", "STATUS"), config("1.1.0"));
        assertEquals("no network mode is running", noMode.json().get("msg").asString());
    }

    @Test
    void serverErrorIsPrintedAndExitsOne() throws Exception {
        Map<String, String> env = podEnv("ADD", "web-1", "uid-1");
        env.put("CNI_IFNAME", "eth0/1");
        Run run = exec(env, config("0.4.0"));
        assertEquals(1, run.exit());
        assertEquals(CniRequestParser.JSON.readTree("{\"cniVersion\":\"1.1.0\",\"code\":4,\"msg\":\"CNI_IFNAME: "
                + "\\\"eth0/1\\\" contains '/'\"}"), run.json());
    }

    @Test
    void addThatTimesOutIsTryAgainLater() throws Exception {
        Run run = exec(podEnv("ADD", "never", "uid-1"), config("0.3.1"));
        assertEquals(1, run.exit());
        assertEquals("0.3.1", run.json().get("cniVersion").asString());
        assertEquals(11, run.json().get("code").asInt());
        assertTrue(run.json().get("msg").asString().startsWith("pod default/never: no network after 2000 ms"));
    }

    @Test
    void unreachableServerIsTryAgainLaterNamingTheSocket() throws Exception {
        server.close();
        Run run = exec(podEnv("ADD", "web-1", "uid-1"), config("0.4.0"));
        assertEquals(1, run.exit());
        JsonNode error = run.json();
        assertEquals("0.4.0", error.get("cniVersion").asString());
        assertEquals(11, error.get("code").asInt());
        assertEquals("cannot reach the ovnk CNI server at " + socket, error.get("msg").asString());
        assertEquals("No such file or directory", error.get("details").asString());
        Run status = exec(Map.of("CNI_COMMAND", "STATUS"), config("1.1.0"));
        assertEquals(50, status.json().get("code").asInt());
    }

    @Test
    void everyEnvironmentVariableReachesTheServerEscapedIntact() throws Exception {
        Map<String, String> env = podEnv("DEL", "web-1", "uid-1");
        String odd = "quote\" backslash\\ tab\t newline\n cr\r bell\u0007 esc\u001b unicode é中😀 slash/ del\u007f";
        env.put("ODD", odd);
        env.put("EMPTY", "");
        assertEquals(0, exec(env, config("1.1.0")).exit());
        JsonNode sent = CniRequestParser.JSON.readTree(received.get(0)).get("env");
        Map<String, String> got = new LinkedHashMap<>();
        sent.properties().forEach(entry -> got.put(entry.getKey(), entry.getValue().asString()));
        assertEquals(env, got);
    }

    @Test
    void configurationBytesReachTheServerIntactWhateverTheirLength() throws Exception {
        for (String tail : List.of("", "x", "xy", "xyz", " \"é中😀\\n\"")) {
            received.clear();
            String config = config("1.1.0").replace("}", ",\"note\":\"" + tail.replace("\"", "\\\"") + "\"}");
            byte[] bytes = (config + "\n").getBytes(StandardCharsets.UTF_8);
            assertEquals(0, exec(podEnv("DEL", "web-1", "uid-1"), bytes).exit());
            String base64 = CniRequestParser.JSON.readTree(received.get(0)).get("config").asString();
            assertArrayEquals(bytes, Base64.getDecoder().decode(base64), config);
        }
    }

    @Test
    void requestOverTheServersLimitIsRefusedWithItsReason() throws Exception {
        limits.set(new UnixHttpServer.Limits(2048, Duration.ofSeconds(10)));
        String big = config("1.1.0").replace("}", ",\"padding\":\"" + "p".repeat(100_000) + "\"}");
        Run run = exec(podEnv("ADD", "web-1", "uid-1"), big);
        assertEquals(1, run.exit());
        assertTrue(run.json().get("msg").asString().contains("exceeds 2048 bytes (max.request.bytes)"), run.stdout());
    }

    @Test
    void configurationThatIsNotJsonReachesTheServerAndIsADecodingError() throws Exception {
        Run run = exec(podEnv("ADD", "web-1", "uid-1"), "{\"socketPath\":\"" + socket + "\",");
        assertEquals(1, run.exit());
        // the shim found socketPath before the configuration broke off; judging the rest is the server's job
        assertEquals(CniException.DECODING_FAILURE, run.json().get("code").asInt(), run.stdout());
        assertTrue(run.json().get("msg").asString().startsWith("network configuration: not JSON"), run.stdout());
    }
}
