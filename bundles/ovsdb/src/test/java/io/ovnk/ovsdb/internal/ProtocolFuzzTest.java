package io.ovnk.ovsdb.internal;

import io.ovnk.fuzz.Fuzz;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovsdb.DeadlineExceededException;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbException;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import io.ovnk.ovsdb.TransactionResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A server that violates the protocol in answer to one transact at a time (garbage, wrong ids, missing or
 * ill-shaped results, updates for unknown tables and columns or of the wrong types, huge messages, hanging up
 * mid-message), between valid transactions: the affected request fails with an {@link OvsdbException} saying what
 * was wrong, the next valid transaction succeeds, the cache equals the server's rows after each case, and no
 * thread is left behind. Seeded: see {@link Fuzz}.
 */
class ProtocolFuzzTest {

    static final int MAX_FRAME = 256 * 1024;

    /** A way to misbehave: its name, whether the request must fail, and the act. */
    record Hostile(String name, boolean mustFail, Duration timeout, ScriptedServer.Misbehaviour act) {
    }

    static Hostile hostile(SplittableRandom random) {
        String uuid = UUID.randomUUID().toString();
        String ghost = UUID.randomUUID().toString();
        switch (random.nextInt(16)) {
            case 0:
                byte[] garbage = Fuzz.randomBytes(random, 200);
                return new Hostile("garbage", true, Duration.ofSeconds(10), (c, id, r) -> {
                    c.sendRaw("]".getBytes(StandardCharsets.US_ASCII));
                    c.sendRaw(garbage);
                });
            case 1:
                return new Hostile("a reply with an id never sent", true, Duration.ofMillis(400), (c, id, r) ->
                        c.send("{\"id\":" + (id.asLong() + 1000) + ",\"result\":[{}],\"error\":null}"));
            case 2:
                String badId = List.of("\"x\"", "[1]", "{}", "1.5", "true").get(random.nextInt(5));
                return new Hostile("a reply with id " + badId, true, Duration.ofSeconds(10), (c, id, r) ->
                        c.send("{\"id\":" + badId + ",\"result\":[],\"error\":null}"));
            case 3:
                String shape = List.of("{\"id\":ID}", "{\"id\":ID,\"result\":null,\"error\":null}",
                        "{\"id\":ID,\"result\":{\"a\":1},\"error\":null}", "{\"id\":ID,\"result\":[],\"error\":null}",
                        "{\"id\":ID,\"result\":\"ok\"}", "{\"id\":ID,\"result\":[5]}", "{\"id\":ID,\"result\":[\"x\"]}",
                        "{\"id\":ID,\"result\":[null]}", "{\"id\":ID,\"result\":[[]]}").get(random.nextInt(9));
                return new Hostile("a result shaped " + shape, true, Duration.ofSeconds(10), (c, id, r) ->
                        c.send(shape.replace("ID", id.toString())));
            case 4:
                String result = List.of("[{\"uuid\":\"nope\"}]", "[{\"uuid\":[\"uuid\",\"zzz\"]}]",
                        "[{\"uuid\":[\"named-uuid\",\"x\"]}]", "[{\"uuid\":5}]", "[{\"uuid\":[\"uuid\"]}]",
                        "[{\"count\":\"abc\"}]", "[{\"count\":{}}]", "[{\"count\":1e400}]",
                        "[{\"uuid\":[\"uuid\",\"" + uuid + "\"],\"count\":[1]}]").get(random.nextInt(9));
                return new Hostile("results of the wrong types " + result, true, Duration.ofSeconds(10), (c, id, r) ->
                        c.send("{\"id\":" + id + ",\"result\":" + result + ",\"error\":null}"));
            case 5:
                String error = List.of("[{\"error\":{\"x\":1}}]", "[{\"error\":5,\"details\":[1]}]",
                        "[{\"error\":null}]", "[{\"error\":[\"a\"],\"details\":{}}]").get(random.nextInt(4));
                return new Hostile("operation errors of the wrong types " + error, true, Duration.ofSeconds(10),
                        (c, id, r) -> c.send("{\"id\":" + id + ",\"result\":" + error + ",\"error\":null}"));
            case 6:
                String rpc = List.of("{\"deep\":[1,2]}", "5", "[]", "\"\"").get(random.nextInt(4));
                return new Hostile("an RPC error " + rpc, true, Duration.ofSeconds(10), (c, id, r) ->
                        c.send("{\"id\":" + id + ",\"result\":null,\"error\":" + rpc + "}"));
            case 7:
                int size = MAX_FRAME + random.nextInt(4 * MAX_FRAME);
                return new Hostile("a reply of " + size + " bytes", true, Duration.ofSeconds(10), (c, id, r) ->
                        c.send("{\"id\":" + id + ",\"result\":[{\"uuid\":[\"uuid\",\"" + "a".repeat(size) + "\"]}]}"));
            case 8:
                String whole = "{\"id\":ID,\"result\":[{\"uuid\":[\"uuid\",\"" + uuid + "\"]}],\"error\":null}";
                int cut = 1 + random.nextInt(whole.length() - 2);
                return new Hostile("a reply cut after " + cut + " bytes", true, Duration.ofSeconds(10), (c, id, r) -> {
                    c.sendRaw(whole.replace("ID", id.toString()).substring(0, cut).getBytes(StandardCharsets.UTF_8));
                    c.hangUp();
                });
            case 9:
                return new Hostile("hanging up", true, Duration.ofSeconds(10), (c, id, r) -> c.hangUp());
            default:
                // an update the cache cannot take; the transaction itself is never answered
                String update = List.of(
                        "{\"Nope\":{\"" + uuid + "\":{\"insert\":{\"name\":\"x\"}}}}",
                        "{\"T\":{\"" + uuid + "\":{\"insert\":{\"bogus\":1}}}}",
                        "{\"T\":{\"" + uuid + "\":{\"insert\":{\"n\":\"str\"}}}}",
                        "{\"T\":{\"" + uuid + "\":{\"insert\":{\"name\":[\"set\",[\"a\",\"b\"]]}}}}",
                        "{\"T\":{\"" + uuid + "\":{\"modify\":{\"name\":\"x\"}}}}",
                        "{\"T\":{\"not-a-uuid\":{\"insert\":{}}}}",
                        "{\"T\":{\"" + ghost + "\":{\"insert\":{\"name\":\"ghost\"}},\"" + uuid
                                + "\":{\"insert\":{\"n\":\"str\"}}}}",
                        "{\"T\":{\"" + ghost + "\":{\"insert\":{\"name\":\"ghost\"}}},\"Nope\":{}}",
                        "{\"T\":[1,2]}", "{\"T\":{\"" + uuid + "\":5}}", "[1]", "{\"T\":{\"" + uuid + "\":{}}}")
                        .get(random.nextInt(12));
                String transaction = random.nextInt(4) == 0 ? "{}" : "\"" + UUID.randomUUID() + "\"";
                return new Hostile("update " + update + " in transaction " + transaction, false, Duration.ofSeconds(3),
                        (c, id, r) -> c.send("{\"id\":null,\"method\":\"update3\",\"params\":[\"" + c.monitorId + "\","
                                + transaction + "," + update + "]}"));
        }
    }

    @Test
    void protocolViolationsFailTheirRequestAndLeaveTheCacheEqualToTheServer() throws Exception {
        try (ScriptedServer server = new ScriptedServer()) {
            Client client = new Client(OvsdbClientConfig.of("Test", "tcp:127.0.0.1:" + server.port())
                    .withMaxFrameBytes(MAX_FRAME).withMaxBackoff(Duration.ofMillis(100))
                    .withProbeInterval(Duration.ZERO).withRequestTimeout(Duration.ofSeconds(10)));
            String threadPrefix;
            try {
                client.monitor(TableMonitor.of("T")).get(30, TimeUnit.SECONDS);
                threadPrefix = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                        .filter(n -> n.startsWith("ovsdb-Test-") && n.endsWith("-worker")).findFirst().orElseThrow()
                        .replace("-worker", "");
                int[] failed = new int[1];
                List<Long> recoveries = new java.util.ArrayList<>();
                int cases = Fuzz.run("ovsdb protocol", 150, fuzzCase -> {
                    Hostile hostile = hostile(fuzzCase.random);
                    fuzzCase.input(hostile.name().length() > 300 ? hostile.name().substring(0, 300) : hostile.name());
                    server.misbehaveOnce(hostile.act());
                    try {
                        client.transact(List.of(Operation.insert("T").set("name", "hostile").set("n", 1L)),
                                hostile.timeout()).get(60, TimeUnit.SECONDS);
                        assertTrue(!hostile.mustFail(), "the request succeeded against " + hostile.name());
                    } catch (ExecutionException e) {
                        OvsdbException failure = OvsdbException.of(e);
                        assertNotNull(failure, "fails with an OvsdbException, not " + e.getCause());
                        assertTrue(failure.getMessage() != null && !failure.getMessage().isBlank(), "says why");
                        if (hostile.name().startsWith("a reply with an id never sent")) {
                            assertTrue(failure instanceof DeadlineExceededException, failure.toString());
                        }
                        failed[0]++;
                    }
                    // valid requests are served again, and the cache is the server's truth
                    long start = System.nanoTime();
                    TransactionResult valid = validInsert(client, "valid-" + fuzzCase.seed);
                    recoveries.add(System.nanoTime() - start);
                    UUID inserted = valid.results().get(0).uuid().orElseThrow();
                    client.cache().await("T", row -> row.uuid().equals(inserted), Duration.ofSeconds(30))
                            .get(60, TimeUnit.SECONDS);
                    assertEquals(truth(server), cached(client), "the cache equals the server's rows");
                    assertTrue(threads(threadPrefix) <= 5, "threads are not piling up: " + threads(threadPrefix));
                });
                System.out.println("fuzz ovsdb protocol: " + cases + " violations, " + failed[0] + " failed their "
                        + "request, the rest were survived; " + client.connections() + " connections; the cache "
                        + "matched the server " + cases + " times; the next valid transaction took (ms) "
                        + summary(recoveries));
            } finally {
                client.close();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().startsWith(threadPrefix)) {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    assertTrue(!thread.isAlive(), "thread " + thread.getName() + " ended with the client");
                }
            }
        }
    }

    static Hostile hostileMonitorReply(SplittableRandom random) {
        String uuid = UUID.randomUUID().toString();
        String ghost = UUID.randomUUID().toString();
        String transaction = "\"" + UUID.randomUUID() + "\"";
        List<String> results = List.of("[true]", "[false]", "[]", "{}", "null", "5", "[true,{},{}]", "[\"x\",5,{}]",
                "[false," + transaction + ",5]", "[false," + transaction + ",[]]", "[false," + transaction + ",{\"T\":5}]",
                "[false," + transaction + ",{\"Nope\":{}}]",
                "[false," + transaction + ",{\"T\":{\"" + uuid + "\":{\"initial\":{\"n\":\"x\"}}}}]",
                "[false," + transaction + ",{\"T\":{\"" + ghost + "\":{\"initial\":{\"name\":\"ghost\"}},\"" + uuid
                        + "\":{\"initial\":{\"name\":5}}}}]",
                "[true," + transaction + ",{\"T\":{\"" + uuid + "\":{\"modify\":{\"name\":\"x\"}}}}]");
        switch (random.nextInt(5)) {
            case 0:
                return new Hostile("a monitor reply of garbage", true, Duration.ofSeconds(30), (c, id, r) ->
                        c.sendRaw(("]" + new String(Fuzz.randomBytes(random, 100), StandardCharsets.ISO_8859_1))
                                .getBytes(StandardCharsets.ISO_8859_1)));
            case 1:
                return new Hostile("a monitor reply cut short", true, Duration.ofSeconds(30), (c, id, r) -> {
                    c.sendRaw(("{\"id\":" + id + ",\"result\":[false,").getBytes(StandardCharsets.UTF_8));
                    c.hangUp();
                });
            case 2:
                String error = List.of("\"boom\"", "{\"x\":1}", "[]").get(random.nextInt(3));
                return new Hostile("a monitor error " + error, true, Duration.ofSeconds(30), (c, id, r) ->
                        c.send("{\"id\":" + id + ",\"result\":null,\"error\":" + error + "}"));
            default:
                String result = results.get(random.nextInt(results.size()));
                return new Hostile("a monitor result " + result, true, Duration.ofSeconds(30), (c, id, r) ->
                        c.send("{\"id\":" + id + ",\"result\":" + result + ",\"error\":null}"));
        }
    }

    @Test
    void protocolViolationsInMonitorRepliesFailTheConnectionNotTheCache() throws Exception {
        try (ScriptedServer server = new ScriptedServer();
                Client client = new Client(OvsdbClientConfig.of("Test", "tcp:127.0.0.1:" + server.port())
                        .withMaxFrameBytes(MAX_FRAME).withMaxBackoff(Duration.ofMillis(100))
                        .withProbeInterval(Duration.ZERO).withRequestTimeout(Duration.ofSeconds(10)))) {
            client.monitor(TableMonitor.of("T")).get(30, TimeUnit.SECONDS);
            validInsert(client, "before");
            List<Long> recoveries = new java.util.ArrayList<>();
            int cases = Fuzz.run("ovsdb monitor replies", 60, fuzzCase -> {
                Hostile hostile = hostileMonitorReply(fuzzCase.random);
                fuzzCase.input(hostile.name());
                server.misbehaveOnMonitorOnce(hostile.act());
                long before = client.connections();
                server.hangUpAll();
                // the reconnection meets the hostile reply, gives up on that connection and tries again
                long start = System.nanoTime();
                TransactionResult valid = validInsert(client, "valid-" + fuzzCase.seed);
                recoveries.add(System.nanoTime() - start);
                UUID inserted = valid.results().get(0).uuid().orElseThrow();
                client.cache().await("T", row -> row.uuid().equals(inserted), Duration.ofSeconds(30))
                        .get(60, TimeUnit.SECONDS);
                assertTrue(client.connections() > before, "reconnected");
                assertEquals(truth(server), cached(client), () -> "the cache equals the server's rows; differing: "
                        + difference(truth(server), cached(client)));
            });
            System.out.println("fuzz ovsdb monitor replies: " + cases + " violations survived, the cache matched the "
                    + "server after each; " + client.connections() + " connections; from the hang-up to the next valid "
                    + "transaction (ms) " + summary(recoveries));
        }
    }

    /** A valid insert; one retry when the connection was reset under it (the caller's usual answer to that). */
    private static TransactionResult validInsert(Client client, String name) throws Exception {
        try {
            return client.transact(List.of(Operation.insert("T").set("name", name).set("n", 7L)), Duration.ofSeconds(30))
                    .get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // a request outliving its own deadline twice over: show where every thread is, for the report
            Thread.getAllStackTraces().forEach((thread, stack) -> System.out.println("THREAD " + thread.getName() + " "
                    + thread.getState() + "\n    " + java.util.Arrays.stream(stack).map(Object::toString)
                    .collect(Collectors.joining("\n    "))));
            System.out.println("CLIENT state " + client.state() + ", connections " + client.connections());
            throw e;
        } catch (ExecutionException e) {
            if (OvsdbException.of(e) instanceof io.ovnk.ovsdb.ConnectionLostException
                    || OvsdbException.of(e) instanceof io.ovnk.ovsdb.NotConnectedException) {
                return client.transact(List.of(Operation.insert("T").set("name", name).set("n", 7L)),
                        Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
            }
            throw e;
        }
    }

    private static Map<String, String> truth(ScriptedServer server) {
        return server.truth.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                entry -> entry.getValue().path("name").asString(), (a, b) -> a, TreeMap::new));
    }

    private static Map<String, String> cached(Client client) {
        return client.cache().table("T").rows().stream().collect(Collectors.toMap(row -> row.uuid().toString(),
                (Row row) -> row.string("name"), (a, b) -> a, TreeMap::new));
    }

    /** Median and maximum in milliseconds: what a reader of the Reliability table wants to know. */
    private static String summary(List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        return "median " + TimeUnit.NANOSECONDS.toMillis(sorted.get(sorted.size() / 2)) + ", max "
                + TimeUnit.NANOSECONDS.toMillis(sorted.get(sorted.size() - 1));
    }

    private static String difference(Map<String, String> truth, Map<String, String> cached) {
        Map<String, String> missing = new TreeMap<>(truth);
        missing.keySet().removeAll(cached.keySet());
        Map<String, String> extra = new TreeMap<>(cached);
        extra.keySet().removeAll(truth.keySet());
        return "missing " + missing + ", extra " + extra;
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
    }
}
