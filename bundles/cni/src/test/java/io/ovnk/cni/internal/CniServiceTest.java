package io.ovnk.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.internal.InformerHub;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import io.ovnk.network.spi.PodPlumber;
import io.ovnk.network.spi.Readiness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** The CNI commands against fabric8's mock API server (CRUD) through the kube bundle's informers. */
class CniServiceTest {

        static final String NETWORK = "{\"default\":{\"ip_addresses\":[\"10.128.0.5/23\"],\"mac_address\":"
            + "\"0a:58:0a:80:00:05\",\"gateway_ips\":[\"10.128.0.1\"],\"routes\":[{\"dest\":\"172.16.1.0/24\","
            + "\"nextHop\":\"10.128.0.1\"}]}}";

    @TempDir
    Path dir;
    String netns;
    MockApi api;
    InformerHub hub;
    PodWaiter waiter;
    final RecordingPlumber plumber = new RecordingPlumber();
    final AtomicReference<PodPlumber> present = new AtomicReference<>(plumber);
    final AtomicReference<CniService.Settings> settings = new AtomicReference<>(
            new CniService.Settings(Duration.ofSeconds(30), Duration.ofSeconds(7), 1400));
    /** Counted down when an ADD starts waiting for its pod's network. */
    volatile CountDownLatch waiting = new CountDownLatch(1);
    /** Counted down when a request waits for an earlier one of the same pod. */
    volatile CountDownLatch contended = new CountDownLatch(1);
    CniService service;
    final ExecutorService requests = Executors.newCachedThreadPool();

    @BeforeEach
    void start() throws Exception {
        netns = Files.createFile(dir.resolve("netns")).toString();
        api = new MockApi();
        hub = new InformerHub(api.client, InformerHub.Settings.defaults());
        waiter = new PodWaiter(hub.lister(Pod.class), message -> waiting.countDown());
        hub.addHandler(waiter, "cni-test", 4);
        service = new CniService(present::get, waiter, settings::get, key -> contended.countDown());
    }

    @AfterEach
    void stop() throws Exception {
        waiter.close();
        requests.shutdownNow();
        assertTrue(requests.awaitTermination(10, TimeUnit.SECONDS));
        hub.close();
        api.close();
    }

    /** Creates the pod; the mock API server gives it its UID, which is returned. */
    private String createPod(String name, String podNetworks) {
        return api.createPod("default", name, null, podNetworks).getMetadata().getUid();
    }

    private CniService.Reply run(Requests request) {
        return service.handle(request.body());
    }

    private CompletableFuture<CniService.Reply> submit(Requests request) {
        return CompletableFuture.supplyAsync(() -> run(request), requests);
    }

    private Requests add(String name, String uid) {
        return Requests.forPod("ADD", netns, "default", name, uid);
    }

    private static JsonNode json(CniService.Reply reply) {
        return CniRequestParser.JSON.readTree(reply.body());
    }

    private static void assertError(CniService.Reply reply, int code, String... inMessage) {
        assertEquals(400, reply.status());
        JsonNode error = json(reply);
        assertEquals(code, error.get("code").asInt(), error.toString());
        for (String part : inMessage) {
            assertTrue(error.get("msg").asString().contains(part), error.get("msg").asString() + " lacks " + part);
        }
    }

    private void setTimeouts(Duration annotation) {
        settings.set(new CniService.Settings(annotation, Duration.ofSeconds(7), 1400));
    }

    @Test
    void addPlumbsTheAnnotatedNetworkAndAnswersTheCniResult() throws Exception {
        String uid = createPod("web-1", NETWORK);
        settings.set(new CniService.Settings(Duration.ofSeconds(30), Duration.ofSeconds(7), 1300));
        CniService.Reply reply = run(add("web-1", uid).version("0.4.0"));
        assertEquals(200, reply.status(), new String(reply.body()));
        PodAttachment attachment = plumber.plumbed.get(0);
        assertEquals(new PodAttachment("default", "web-1", uid, "c0ffee" + "web-1".hashCode(), netns, "eth0",
                "0a:58:0a:80:00:05", List.of("10.128.0.5/23"), List.of("10.128.0.1"),
                List.of(new PodAttachment.Route("172.16.1.0/24", "10.128.0.1")), 1300,
                Map.of(OvnAnnotations.POD_NETWORKS, NETWORK)), attachment);
        assertEquals(List.of(Duration.ofSeconds(7)), plumber.deadlines);
        JsonNode result = json(reply);
        assertEquals("0.4.0", result.get("cniVersion").asString());
        assertEquals(CniRequestParser.JSON.readTree("[{\"version\":\"4\",\"address\":\"10.128.0.5/23\","
                + "\"gateway\":\"10.128.0.1\",\"interface\":1}]"), result.get("ips"));
        assertEquals(netns, result.get("interfaces").get(1).get("sandbox").asString());
    }

    @Test
    void requestsAreTimedByCommandAndResultAndUnreadableOnesCounted() {
        CniMetrics metrics = new CniMetrics();
        service = new CniService(present::get, waiter, settings::get, key -> contended.countDown(), metrics);
        String uid = createPod("web-1", NETWORK);
        assertEquals(200, run(add("web-1", uid)).status());
        setTimeouts(Duration.ofMillis(300));
        assertError(run(add("ghost", Requests.POD_UID)), CniException.TRY_AGAIN_LATER);
        assertEquals(400, service.handle("{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8)).status());
        assertEquals(1, metrics.requests().count("ADD", "ok"));
        assertEquals(1, metrics.requests().count("ADD", "retry"));
        assertTrue(metrics.requests().sum("ADD", "retry") >= 0.3, "the retry waited its 300 ms");
        assertEquals(0, metrics.requests().count("ADD", "error"));
        assertEquals(1, metrics.refusedCount());
        assertEquals(1, metrics.podSetup().count(plumber.mode()), "only the successful ADD set a pod up");
    }

    @Test
    void addWaitsForAnAnnotationThatAppearsAfterTheRequestArrived() throws Exception {
        String uid = createPod("web-1", null);
        CompletableFuture<CniService.Reply> reply = submit(add("web-1", uid));
        assertTrue(waiting.await(10, TimeUnit.SECONDS), "the ADD waits");
        assertTrue(plumber.plumbed.isEmpty());
        api.annotate("default", "web-1", NETWORK, Map.of("k8s.ovn.org/underlay-vlan", "{\"parent\":\"vm1\",\"tag\":7}"));
        assertEquals(200, reply.get(10, TimeUnit.SECONDS).status());
        assertEquals("0a:58:0a:80:00:05", plumber.plumbed.get(0).mac());
        // the mode's annotation, written with pod-networks, comes with the attachment from the same pod object
        assertEquals(Map.of(OvnAnnotations.POD_NETWORKS, NETWORK, "k8s.ovn.org/underlay-vlan",
                "{\"parent\":\"vm1\",\"tag\":7}"), plumber.plumbed.get(0).podAnnotations());
    }

    @Test
    void addTimesOutWithTryAgainLaterNamingThePodAndTheMissingAnnotation() {
        setTimeouts(Duration.ofMillis(300));
        String uid = createPod("web-1", null);
        assertError(run(add("web-1", uid)), CniException.TRY_AGAIN_LATER, "pod default/web-1", "after 300 ms",
                "no annotation k8s.ovn.org/pod-networks");
        assertTrue(plumber.plumbed.isEmpty());
        assertEquals(0, waiter.waiting(), "the wait is gone");
    }

    @Test
    void addTimesOutNamingAPodThatWasNeverSeen() {
        setTimeouts(Duration.ofMillis(300));
        assertError(run(add("ghost", Requests.POD_UID)), CniException.TRY_AGAIN_LATER, "pod default/ghost",
                "the pod has not been seen");
    }

    @Test
    void addForAnotherUidThanThePodsWaitsAndTimesOutNamingBothUids() {
        setTimeouts(Duration.ofMillis(300));
        String uid = createPod("web-1", NETWORK);
        assertError(run(add("web-1", "another-uid")), CniException.TRY_AGAIN_LATER, "the pod has UID " + uid,
                "the sandbox is for UID another-uid");
        assertTrue(plumber.plumbed.isEmpty(), "the old pod's network is not plumbed for the new sandbox");
    }

    @Test
    void malformedAnnotationFailsAtOnceNamingTheField() {
        String uid = createPod("web-1", NETWORK.replace("10.128.0.5/23", "10.128.0"));
        assertError(run(add("web-1", uid)), CniException.BAD_POD_ANNOTATION, "pod default/web-1",
                "k8s.ovn.org/pod-networks", "default.ip_addresses[0]");
        assertTrue(plumber.plumbed.isEmpty());
    }

    @Test
    void concurrentAddsForOnePodAreSerialised() throws Exception {
        String uid = createPod("web-1", NETWORK);
        CountDownLatch firstInPlumb = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        plumber.onPlumb = attachment -> {
            if (attachment.sandboxId().equals("first")) {
                firstInPlumb.countDown();
                releaseFirst.await(10, TimeUnit.SECONDS);
            }
        };
        CompletableFuture<CniService.Reply> first = submit(add("web-1", uid).containerId("first"));
        assertTrue(firstInPlumb.await(10, TimeUnit.SECONDS));
        CompletableFuture<CniService.Reply> second = submit(add("web-1", uid).containerId("second"));
        assertTrue(contended.await(10, TimeUnit.SECONDS), "the second ADD waits for the first");
        assertEquals(1, plumber.plumbed.size(), "the second has not reached the plumber");
        releaseFirst.countDown();
        assertEquals(200, first.get(10, TimeUnit.SECONDS).status());
        assertEquals(200, second.get(10, TimeUnit.SECONDS).status());
        assertEquals(List.of("first", "second"), plumber.plumbed.stream().map(PodAttachment::sandboxId).toList());
        assertEquals(1, plumber.mostInPlumb.get());
    }

    @Test
    void addsForDifferentPodsRunInParallel() throws Exception {
        String uid1 = createPod("web-1", NETWORK);
        String uid2 = createPod("web-2", NETWORK.replace("10.128.0.5", "10.128.0.6"));
        CountDownLatch bothInPlumb = new CountDownLatch(2);
        plumber.onPlumb = attachment -> {
            bothInPlumb.countDown();
            if (!bothInPlumb.await(10, TimeUnit.SECONDS)) {
                throw new PlumbingException("the other pod never came", false);
            }
        };
        CompletableFuture<CniService.Reply> one = submit(add("web-1", uid1));
        CompletableFuture<CniService.Reply> two = submit(add("web-2", uid2));
        assertEquals(200, one.get(20, TimeUnit.SECONDS).status());
        assertEquals(200, two.get(20, TimeUnit.SECONDS).status());
        assertEquals(2, plumber.mostInPlumb.get());
    }

    @Test
    void withoutANetworkModeAddDelCheckAndGcAnswerTryAgainLater() {
        present.set(null);
        String uid = createPod("web-1", NETWORK);
        for (Requests request : List.of(add("web-1", uid), Requests.of("DEL").containerId("abc").ifName("eth0"),
                Requests.forPod("CHECK", netns, "default", "web-1", uid).version("0.3.1"),
                Requests.of("GC").configField("cni.dev/valid-attachments", JsonNodeFactory.instance.arrayNode()))) {
            assertError(run(request), CniException.TRY_AGAIN_LATER, "no network mode is running");
        }
    }

    @Test
    void statusWithoutANetworkModeIsPluginNotAvailable() {
        present.set(null);
        assertError(run(Requests.of("STATUS")), CniException.PLUGIN_NOT_AVAILABLE, "no network mode is running");
    }

    @Test
    void statusReportsTheModesReadiness() {
        CniService.Reply ready = run(Requests.of("STATUS"));
        assertEquals(200, ready.status());
        assertEquals(0, ready.body().length);
        plumber.readiness = Readiness.notReady("br-int does not exist");
        assertError(run(Requests.of("STATUS")), CniException.PLUGIN_NOT_AVAILABLE, "br-int does not exist");
    }

    @Test
    void retryablePlumbingFailureIsTryAgainLater() {
        String uid = createPod("web-1", NETWORK);
        plumber.failure = new PlumbingException("ovn-installed not set on port c0ffee within 7 s", true);
        assertError(run(add("web-1", uid)), CniException.TRY_AGAIN_LATER, "pod default/web-1",
                "network mode test could not plumb", "ovn-installed not set");
    }

    @Test
    void plumbingFailureIsReportedAsAPluginError() {
        String uid = createPod("web-1", NETWORK);
        plumber.failure = new PlumbingException("cannot create veth c0ffee: File exists", false);
        assertError(run(add("web-1", uid)), CniException.PLUMBING_FAILED, "cannot create veth c0ffee: File exists");
    }

    @Test
    void plumberThatThrowsIsReportedAsAPluginError() {
        String uid = createPod("web-1", NETWORK);
        plumber.onPlumb = attachment -> {
            throw new IllegalStateException("bug");
        };
        assertError(run(add("web-1", uid)), CniException.PLUMBING_FAILED, "failed to plumb",
                "IllegalStateException: bug");
    }

    @Test
    void delIsIdempotentNeverWaitsAndPassesAGoneNetnsAsEmpty() {
        String gone = dir.resolve("gone").toString();
        Requests del = Requests.forPod("DEL", gone, "default", "never-existed", Requests.POD_UID);
        assertEquals(200, run(del).status());
        assertEquals(200, run(del).status());
        assertEquals(List.of(List.of("c0ffee" + "never-existed".hashCode(), "", "eth0"),
                List.of("c0ffee" + "never-existed".hashCode(), "", "eth0")), plumber.unplumbed);
        assertEquals(200, run(Requests.of("DEL").containerId("abc").ifName("eth0").netns(netns)).status());
        assertEquals(List.of("abc", netns, "eth0"), plumber.unplumbed.get(2));
    }

    @Test
    void checkComparesPrevResultWithTheAnnotationAndAsksTheMode() {
        String uid = createPod("web-1", NETWORK);
        // the informer cache must have the pod before CHECK (which never waits) looks: an ADD makes sure
        assertEquals(200, run(add("web-1", uid)).status());
        JsonNode prevResult = CniRequestParser.JSON.readTree("{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":"
                + "\"10.128.0.5/23\",\"interface\":1}]}");
        assertEquals(200, run(Requests.forPod("CHECK", netns, "default", "web-1", uid)
                .configField("prevResult", prevResult)).status());
        assertEquals("10.128.0.5/23", plumber.checked.get(0).addresses().get(0));
        assertEquals(Map.of(OvnAnnotations.POD_NETWORKS, NETWORK), plumber.checked.get(0).podAnnotations());

        JsonNode otherAddress = CniRequestParser.JSON.readTree("{\"ips\":[{\"address\":\"10.128.0.9/23\"}]}");
        assertError(run(Requests.forPod("CHECK", netns, "default", "web-1", uid).configField("prevResult",
                otherAddress)), CniException.CHECK_FAILED, "prevResult.ips [10.128.0.9/23]", "[10.128.0.5/23]");
        assertError(run(Requests.forPod("CHECK", netns, "default", "web-1", "other-uid").configField("prevResult",
                prevResult)), CniException.UNKNOWN_CONTAINER, "has UID " + uid);
        assertError(run(Requests.forPod("CHECK", netns, "default", "nobody", uid).configField("prevResult",
                prevResult)), CniException.UNKNOWN_CONTAINER, "pod default/nobody: does not exist");
        plumber.failure = new PlumbingException("port c0ffee has no ovn-installed", false);
        assertError(run(Requests.forPod("CHECK", netns, "default", "web-1", uid).configField("prevResult",
                prevResult)), CniException.PLUMBING_FAILED, "no ovn-installed");
    }

    @Test
    void gcHandsTheValidSandboxesToTheMode() {
        plumber.garbage = Set.of("stale");
        CniService.Reply reply = run(Requests.of("GC").configField("cni.dev/valid-attachments",
                CniRequestParser.JSON.readTree("[{\"containerID\":\"a\",\"ifname\":\"eth0\"},"
                        + "{\"containerID\":\"b\",\"ifname\":\"eth0\"}]")));
        assertEquals(200, reply.status());
        assertEquals(List.of(Set.of("a", "b")), plumber.collected);
    }

    @Test
    void versionIsAnsweredWithoutAMode() {
        present.set(null);
        CniService.Reply reply = run(Requests.of("VERSION"));
        assertEquals(200, reply.status());
        assertEquals(CniResults.version(), json(reply));
    }

    @Test
    void badRequestIsAnErrorInTheCurrentVersion() {
        CniService.Reply reply = service.handle("nope".getBytes());
        assertError(reply, CniException.DECODING_FAILURE, "request body: not JSON");
        assertEquals("1.1.0", json(reply).get("cniVersion").asString());
        assertError(run(add("web-1", Requests.POD_UID).version("0.3.1").ifName("a/b")), CniException.INVALID_ENVIRONMENT,
                "CNI_IFNAME");
    }

    @Test
    void errorsOfAParsedRequestCarryItsCniVersion() {
        setTimeouts(Duration.ofMillis(50));
        assertEquals("0.3.1", json(run(add("ghost", Requests.POD_UID).version("0.3.1"))).get("cniVersion").asString());
    }
}
