package io.ovnk.cni.internal;

import io.ovnk.fuzz.Fuzz;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.kube.internal.InformerHub;
import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import io.ovnk.network.spi.PodPlumber;
import io.ovnk.network.spi.Readiness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The CNI server under attack, over its real unix socket, with the real request path (parser, pod waiter on the
 * kube bundle's informers against fabric8's mock API server, per-pod serialisation) and a recording plumber: every
 * hostile request gets a well-formed CNI error naming the field, and valid ADD/DEL interleaved with the attack get
 * their correct results. Seeded: see {@link Fuzz}.
 */
class CniFuzzTest {

    static final String ADDRESS = "10.128.0.5/23";
    static final int WORKERS = 4;

    @TempDir
    Path dir;
    Path socket;
    String netns;
    MockApi api;
    InformerHub hub;
    PodWaiter waiter;
    final CountingPlumber plumber = new CountingPlumber();
    final AtomicReference<UnixHttpServer.Limits> limits = new AtomicReference<>(
            new UnixHttpServer.Limits(64 * 1024, Duration.ofSeconds(30)));
    UnixHttpServer server;
    String steadyUid;

    @BeforeEach
    void start() throws Exception {
        netns = Files.createFile(dir.resolve("netns")).toString();
        socket = dir.resolve("cni/server.sock");
        api = new MockApi();
        hub = new InformerHub(api.client, InformerHub.Settings.defaults());
        waiter = new PodWaiter(hub.lister(Pod.class));
        hub.addHandler(waiter, "cni-fuzz", 4);
        // short annotation wait: hostile requests for pods that never get a network answer quickly
        CniService service = new CniService(() -> plumber, waiter,
                () -> new CniService.Settings(Duration.ofMillis(300), Duration.ofSeconds(5), 1400));
        server = UnixHttpServer.start(socket, body -> {
            CniService.Reply reply = service.handle(body);
            return new UnixHttpServer.Response(reply.status(), reply.body());
        }, limits::get, WORKERS);
        steadyUid = api.createPod("default", "steady", null, CniServiceTest.NETWORK).getMetadata().getUid();
        // event-driven: the informer has the pod before the attack starts (valid requests wait only 300 ms)
        waiter.await(new CniRequest.PodRef("default", "steady", steadyUid), Duration.ofSeconds(60));
    }

    @AfterEach
    void stop() {
        server.close();
        waiter.close();
        hub.close();
        api.close();
    }

    // ---- the fuzz target

    @Test
    void hostileRequestsGetWellFormedErrorsNamingTheFieldAndValidOnesKeepWorking() throws Exception {
        AtomicInteger valid = new AtomicInteger();
        int cases = Fuzz.run("cni requests", 400, fuzzCase -> {
            SplittableRandom random = fuzzCase.random;
            int kind = random.nextInt(6);
            switch (kind) {
                case 0 -> randomBytes(fuzzCase);
                case 1 -> truncated(fuzzCase);
                case 2 -> wrongTypeInEnv(fuzzCase);
                case 3 -> wrongTypeInConfig(fuzzCase);
                case 4 -> unknownCommand(fuzzCase);
                default -> randomEnvValue(fuzzCase);
            }
            if (random.nextInt(8) == 0) {
                validAddAndDelete("fuzz" + Long.toHexString(fuzzCase.seed & 0xffffffL));
                valid.incrementAndGet();
            }
        });
        validAddAndDelete("after-the-attack");
        System.out.println("fuzz cni requests: " + cases + " hostile requests, " + (valid.get() + 1)
                + " valid ADD+DEL pairs interleaved, all answered as expected");
        assertTrue(valid.get() > 0, "valid requests were interleaved");
    }

    private void randomBytes(Fuzz.Case fuzzCase) throws IOException {
        byte[] body = Fuzz.randomBytes(fuzzCase.random, 2048);
        fuzzCase.input(body);
        // random bytes that happen to be a JSON object with a known shape are vanishingly unlikely
        assertCniError(post(body), "request body");
    }

    private void truncated(Fuzz.Case fuzzCase) throws IOException {
        byte[] whole = Requests.forPod("ADD", netns, "default", "steady", steadyUid).body();
        byte[] cut = java.util.Arrays.copyOf(whole, fuzzCase.random.nextInt(whole.length - 1));
        fuzzCase.input(cut);
        assertCniError(post(cut), "request body");
    }

    private static final List<String> ENV = List.of("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME",
            "CNI_ARGS", "CNI_PATH");

    private void wrongTypeInEnv(Fuzz.Case fuzzCase) throws IOException {
        SplittableRandom random = fuzzCase.random;
        ObjectNode root = tree(Requests.forPod(random.nextBoolean() ? "ADD" : "DEL", netns, "default", "steady",
                steadyUid));
        String field;
        if (random.nextInt(5) == 0) {
            field = "env";
            JsonNode value;
            do {
                value = nonString(random);
            } while (value.isObject()); // an object is the right type; what it lacks is another case
            root.set("env", value);
        } else if (random.nextInt(5) == 0) {
            field = "config";
            root.set("config", nonString(random));
        } else {
            field = "env." + ENV.get(random.nextInt(ENV.size()));
            ((ObjectNode) root.get("env")).set(field.substring(4), nonString(random));
        }
        byte[] body = root.toString().getBytes(StandardCharsets.UTF_8);
        fuzzCase.input(body);
        assertCniError(post(body), field.equals("config") && root.get("config").isNull() ? "config: missing"
                : field.substring(field.indexOf('.') + 1));
    }

    private static final List<String> CONFIG_FIELDS = List.of("cniVersion", "name", "type", "socketPath",
            "prevResult");

    private void wrongTypeInConfig(Fuzz.Case fuzzCase) throws IOException {
        SplittableRandom random = fuzzCase.random;
        String field = CONFIG_FIELDS.get(random.nextInt(CONFIG_FIELDS.size()));
        JsonNode value = nonString(random);
        if (field.equals("prevResult") && (value.isObject() || value.isNull())) {
            value = CniRequestParser.JSON.getNodeFactory().numberNode(7);
        }
        Requests request = Requests.forPod(random.nextBoolean() ? "ADD" : "CHECK", netns, "default", "steady",
                steadyUid).configField(field, value);
        byte[] body = request.body();
        fuzzCase.input(request.config);
        assertCniError(post(body), field);
    }

    private void unknownCommand(Fuzz.Case fuzzCase) throws IOException {
        List<String> commands = List.of("add", "ADD ", "DELETE", "UPDATE", "", "\u0000", "ADD;DEL",
                Fuzz.randomString(fuzzCase.random, 30));
        String command = commands.get(fuzzCase.random.nextInt(commands.size()));
        Requests request = Requests.forPod("ADD", netns, "default", "steady", steadyUid).set("CNI_COMMAND", command);
        fuzzCase.input(request.body());
        JsonNode error = assertCniError(post(request.body()), "CNI_COMMAND");
        assertEquals(CniException.INVALID_ENVIRONMENT, error.get("code").asInt(), error.toString());
    }

    /** A random string in one CNI_* variable: it may even be valid; if refused while parsing, the variable is named. */
    private void randomEnvValue(Fuzz.Case fuzzCase) throws IOException {
        SplittableRandom random = fuzzCase.random;
        String name = ENV.subList(1, ENV.size()).get(random.nextInt(ENV.size() - 1));
        String value = random.nextInt(10) == 0 ? "x".repeat(random.nextInt(20_000)) : Fuzz.randomString(random, 60);
        Requests request = Requests.forPod(random.nextBoolean() ? "ADD" : "DEL", netns, "default", "ghost", "uid-1")
                .set(name, value);
        fuzzCase.input(request.body());
        Answer answer = post(request.body());
        if (answer.status == 200) {
            return; // a DEL whose mutated variable was still acceptable
        }
        JsonNode error = wellFormedError(answer);
        int code = error.get("code").asInt();
        if (code == CniException.INVALID_ENVIRONMENT || code == CniException.DECODING_FAILURE
                || code == CniException.UNKNOWN_CONTAINER) {
            String msg = error.get("msg").asString();
            assertTrue(msg.startsWith(name) || msg.startsWith("CNI_ARGS") || msg.startsWith("request body"), msg);
        }
    }

    private static JsonNode nonString(SplittableRandom random) {
        String json;
        do {
            json = Fuzz.randomJsonValue(random);
        } while (json.startsWith("\"")); // even "" is the right type, whatever it lacks
        return CniRequestParser.JSON.readTree(json);
    }

    private static ObjectNode tree(Requests request) {
        return (ObjectNode) CniRequestParser.JSON.readTree(request.body());
    }

    // ---- huge bodies, the same pod from many threads, a wrong UID, slow clients

    @Test
    void hugeBodiesAreRefusedUnreadWithAClearError() throws Exception {
        long huge = 64L * 1024 * 1024;
        // announced: refused from the header, before a byte of the body is read
        Answer announced = streaming("POST / HTTP/1.1\r\nContent-Length: " + huge + "\r\n\r\n", huge);
        assertEquals(413, announced.status, announced.text());
        assertTrue(wellFormedError(announced).get("msg").asString().contains("exceeds 65536 bytes"), announced.text());
        // never-ending headers
        Answer headers = streaming("POST / HTTP/1.1\r\nX-Flood: ", huge);
        assertEquals(431, headers.status, headers.text());
        wellFormedError(headers);
        // just inside the limit, but not JSON
        byte[] garbage = new byte[64 * 1024];
        java.util.Arrays.fill(garbage, (byte) '[');
        assertCniError(post(garbage), "request body");
        validAddAndDelete("after-huge");
    }

    @Test
    void addDelAndCheckOfOnePodFromManyThreadsAreSerialisedAndEachAnswered() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(12);
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(Fuzz.seed());
            for (int i = 0; i < 120; i++) {
                String command = List.of("ADD", "DEL", "CHECK").get(random.nextInt(3));
                Requests request = Requests.forPod(command, netns, "default", "steady", steadyUid)
                        .containerId("shared");
                if (command.equals("CHECK")) {
                    request.configField("prevResult", CniRequestParser.JSON.readTree(
                            "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"" + ADDRESS + "\"}]}"));
                }
                answers.add(threads.submit(() -> post(request.body())));
            }
            for (Future<Answer> future : answers) {
                Answer answer = future.get(60, TimeUnit.SECONDS);
                if (answer.status != 200) {
                    wellFormedError(answer);
                }
            }
        } finally {
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
        }
        assertEquals(1, plumber.mostAtOnce.get(), "requests for one pod never ran at once");
        assertTrue(plumber.plumbs.get() > 0 && plumber.unplumbs.get() > 0, "both ADD and DEL ran");
        validAddAndDelete("after-the-race");
    }

    @Test
    void addWithAnotherUidIsRefusedNamingTheUidAndLeavesThePodsPlumbingAlone() throws Exception {
        Answer first = post(Requests.forPod("ADD", netns, "default", "steady", steadyUid).containerId("real").body());
        assertEquals(200, first.status, first.text());
        int plumbs = plumber.plumbs.get();

        Answer impostor = post(Requests.forPod("ADD", netns, "default", "steady", "not-" + steadyUid)
                .containerId("impostor").body());
        JsonNode error = wellFormedError(impostor);
        assertEquals(CniException.TRY_AGAIN_LATER, error.get("code").asInt(), error.toString());
        assertTrue(error.get("msg").asString().contains("the sandbox is for UID not-" + steadyUid + " (CNI_ARGS K8S_POD_UID)"), error.toString());
        assertTrue(error.get("msg").asString().contains("the pod has UID " + steadyUid), error.toString());
        assertEquals(plumbs, plumber.plumbs.get(), "nothing was plumbed for the impostor");
        assertEquals(0, plumber.unplumbs.get(), "nothing was unplumbed");
        assertEquals(Set.of("real"), plumber.sandboxes.keySet(), "the pod's plumbing is untouched");

        Answer check = post(Requests.forPod("CHECK", netns, "default", "steady", steadyUid).containerId("real")
                .configField("prevResult", CniRequestParser.JSON.readTree("{\"ips\":[{\"address\":\"" + ADDRESS
                        + "\"}]}")).body());
        assertEquals(200, check.status, check.text());
    }

    @Test
    void slowClientsHoldingConnectionsDoNotStopTheServerServingOthers() throws Exception {
        List<SocketChannel> slow = new ArrayList<>();
        byte[] valid = Requests.forPod("ADD", netns, "default", "steady", steadyUid).containerId("patient").body();
        try {
            // more slow clients than workers, each stuck in the middle of its request
            for (int i = 0; i < WORKERS * 3; i++) {
                SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                slow.add(channel);
                String head = "POST / HTTP/1.1\r\nContent-Length: " + valid.length + "\r\n\r\n";
                byte[] partial = i % 2 == 0 ? "POST / HTTP/1.1\r\nConte".getBytes(StandardCharsets.US_ASCII)
                        : (head + new String(valid, 0, 10, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                channel.write(ByteBuffer.wrap(partial));
            }
            // the io timeout (30 s) has not cut them off yet: others are served meanwhile
            validAddAndDelete("while-slow-clients-wait");
            // and the slow clients, still connected, are answered once they finish
            for (int i = 0; i < slow.size(); i++) {
                SocketChannel channel = slow.get(i);
                String rest = i % 2 == 0
                        ? "nt-Length: " + valid.length + "\r\n\r\n" + new String(valid, StandardCharsets.UTF_8)
                        : new String(valid, 10, valid.length - 10, StandardCharsets.UTF_8);
                channel.write(ByteBuffer.wrap(rest.getBytes(StandardCharsets.UTF_8)));
                Answer answer = Answer.parse(readAll(channel));
                assertEquals(200, answer.status, "slow client " + i + ": " + answer.text());
            }
        } finally {
            for (SocketChannel channel : slow) {
                channel.close();
            }
        }
    }

    // ---- valid traffic

    /** A valid ADD and DEL for the steady pod under a fresh sandbox: both succeed with the pod's address. */
    private void validAddAndDelete(String sandbox) throws IOException {
        Answer add = post(Requests.forPod("ADD", netns, "default", "steady", steadyUid).containerId(sandbox).body());
        assertEquals(200, add.status, "valid ADD " + sandbox + ": " + add.text());
        JsonNode result = CniRequestParser.JSON.readTree(add.body);
        assertEquals(ADDRESS, result.get("ips").get(0).get("address").asString(), result.toString());
        Answer del = post(Requests.forPod("DEL", netns, "default", "steady", steadyUid).containerId(sandbox).body());
        assertEquals(200, del.status, "valid DEL " + sandbox + ": " + del.text());
        assertTrue(!plumber.sandboxes.containsKey(sandbox), "DEL removed " + sandbox);
    }

    // ---- HTTP over the unix socket

    record Answer(int status, byte[] body) {
        String text() {
            return status + " " + new String(body, StandardCharsets.UTF_8);
        }

        static Answer parse(byte[] raw) {
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            assertTrue(text.startsWith("HTTP/1.1 ") && end > 0, "not an HTTP answer: " + Fuzz.printable(text));
            int status = Integer.parseInt(text.substring(9, 12));
            return new Answer(status, java.util.Arrays.copyOfRange(raw, end + 4, raw.length));
        }
    }

    private Answer post(byte[] body) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer head = ByteBuffer.wrap(("POST / HTTP/1.1\r\nHost: cni\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            ByteBuffer payload = ByteBuffer.wrap(body);
            while (head.hasRemaining() || payload.hasRemaining()) {
                channel.write(new ByteBuffer[] { head, payload });
            }
            channel.shutdownOutput();
            return Answer.parse(readAll(channel));
        }
    }

    /** Sends {@code head}, then streams up to {@code bytes} of filler until the server answers and hangs up. */
    private Answer streaming(String head, long bytes) throws Exception {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
            Thread writer = new Thread(() -> {
                ByteBuffer filler = ByteBuffer.allocate(64 * 1024);
                long sent = 0;
                try {
                    while (sent < bytes) {
                        java.util.Arrays.fill(filler.array(), (byte) 'a');
                        filler.clear();
                        sent += channel.write(filler);
                    }
                } catch (IOException closedByServer) {
                    // what should happen: the server stops reading and hangs up
                }
            }, "huge-body");
            writer.setDaemon(true);
            writer.start();
            byte[] answer = readAll(channel);
            channel.close();
            writer.join(30_000);
            return Answer.parse(answer);
        }
    }

    static byte[] readAll(SocketChannel channel) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(8192);
        try {
            while (channel.read(in) >= 0) {
                answer.write(in.array(), 0, in.position());
                in.clear();
            }
        } catch (IOException reset) {
            // the server hung up with our input unread: what it sent before is the answer
        }
        return answer.toByteArray();
    }

    /** A CNI error (HTTP 4xx, {"cniVersion","code","msg"}), its message naming {@code field}. */
    private static JsonNode assertCniError(Answer answer, String field) {
        JsonNode error = wellFormedError(answer);
        assertTrue(error.get("msg").asString().contains(field), "the error names " + field + ": " + error);
        return error;
    }

    private static JsonNode wellFormedError(Answer answer) {
        assertTrue(answer.status >= 400 && answer.status < 500, "a 4xx answer: " + answer.text());
        JsonNode error = CniRequestParser.JSON.readTree(answer.body);
        assertTrue(error.isObject() && error.path("cniVersion").isString() && error.path("code").isInt()
                && error.path("code").asInt() > 0 && error.path("msg").isString()
                && !error.path("msg").asString().isBlank(), "a CNI error: " + answer.text());
        return error;
    }

    /** Records how many requests of one sandbox ran at once, and which sandboxes are plumbed now. */
    static final class CountingPlumber implements PodPlumber {
        final Map<String, String> sandboxes = new ConcurrentHashMap<>();
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final AtomicInteger plumbs = new AtomicInteger();
        final AtomicInteger unplumbs = new AtomicInteger();
        final List<String> checks = new CopyOnWriteArrayList<>();

        private void enter() {
            mostAtOnce.accumulateAndGet(now.incrementAndGet(), Math::max);
        }

        @Override
        public String mode() {
            return "fuzz";
        }

        @Override
        public Readiness readiness() {
            return Readiness.READY;
        }

        @Override
        public PlumbedInterface plumb(PodAttachment attachment, Duration timeout) throws PlumbingException {
            enter();
            try {
                plumbs.incrementAndGet();
                Thread.onSpinWait(); // widen the window a concurrent request would need to overlap
                sandboxes.put(attachment.sandboxId(), String.join(",", attachment.addresses()));
                return new PlumbedInterface("h" + Math.abs(attachment.sandboxId().hashCode() % 100000),
                        "aa:bb:cc:dd:ee:ff", attachment.ifName(), attachment.mac(), attachment.netns());
            } finally {
                now.decrementAndGet();
            }
        }

        @Override
        public void unplumb(String sandboxId, String netns, String ifName) {
            enter();
            try {
                unplumbs.incrementAndGet();
                sandboxes.remove(sandboxId);
            } finally {
                now.decrementAndGet();
            }
        }

        @Override
        public void check(PodAttachment attachment) throws PlumbingException {
            enter();
            try {
                checks.add(attachment.sandboxId());
                if (!sandboxes.containsKey(attachment.sandboxId())) {
                    throw new PlumbingException("sandbox " + attachment.sandboxId() + " is not plumbed", false);
                }
            } finally {
                now.decrementAndGet();
            }
        }

        @Override
        public Set<String> collectGarbage(Set<String> validSandboxes) {
            return Set.of();
        }
    }
}
