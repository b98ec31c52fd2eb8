package io.ovnk.bench;

import io.ovnk.ovnstack.Commands;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.TableMonitor;
import io.ovnk.ovsdb.TransactionResult;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.async.ByteArrayFeeder;
import tools.jackson.core.json.JsonFactory;

/**
 * The OVSDB client against one real OVN_Northbound ovsdb-server, each figure next to its baseline from the same
 * run (a fresh server for each, holding one empty switch):
 * <pre>
 * (a) N ports, one per transaction, pipelined on one connection      vs (e) the same requests written raw
 * (b) N ports, 100 per transaction, pipelined                        vs (e) the same, raw
 * (c) ovn-nbctl in daemon mode, N lsp-add calls                      (a) should be at least 30 times faster
 * (d) one ovn-nbctl process per 100 chained lsp-add
 * (f) initial monitor sync of an NB holding M ports: time until the cache is ready, heap per cached row
 * </pre>
 */
public final class OvsdbBench {

    private static final int PER_TRANSACTION = 100;
    private static final int REPEATS = 5;

    private OvsdbBench() {
    }

    record Result(String what, int ports, long nanos) {
        double perSecond() {
            return ports / (nanos / 1e9);
        }

        double millis() {
            return nanos / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        int ports = Integer.getInteger("bench.ports", 10_000);
        int syncPorts = Integer.getInteger("bench.syncPorts", 100_000);
        int nbctlPorts = Integer.getInteger("bench.nbctlPorts", ports);
        List<String> lines = new ArrayList<>();
        lines.add(Report.heading("OVSDB client benchmark"));
        lines.add("");

        // warm-up: the JIT compiles the client's and the raw path's code on a throw-away server first
        for (int round = 0; round < 2; round++) {
            onFreshServer(stack -> client(stack, ports, 1));
            onFreshServer(stack -> client(stack, ports, PER_TRANSACTION));
            onFreshServer(stack -> raw(stack, ports, PER_TRANSACTION));
        }

        // each pair alternates with its floor, five times, each on a fresh server; medians are reported
        Result rawOne = null;
        Result clientOne = null;
        Result rawHundred = null;
        Result clientHundred = null;
        List<Result> rawOnes = new ArrayList<>();
        List<Result> clientOnes = new ArrayList<>();
        List<Result> rawHundreds = new ArrayList<>();
        List<Result> clientHundreds = new ArrayList<>();
        for (int round = 0; round < REPEATS; round++) {
            rawOnes.add(onFreshServer(stack -> raw(stack, ports, 1)));
            clientOnes.add(onFreshServer(stack -> client(stack, ports, 1)));
            rawHundreds.add(onFreshServer(stack -> raw(stack, ports, PER_TRANSACTION)));
            clientHundreds.add(onFreshServer(stack -> client(stack, ports, PER_TRANSACTION)));
        }
        rawOne = median(rawOnes);
        clientOne = median(clientOnes);
        rawHundred = median(rawHundreds);
        clientHundred = median(clientHundreds);
        Result chained = onFreshServer(stack -> nbctlChained(stack, ports));
        Result daemon = onFreshServer(stack -> nbctlDaemon(stack, nbctlPorts));

        lines.add("(a), (b) and their floors (e): medians of " + REPEATS + " runs, alternating, each on a fresh server.");
        lines.add("");
        lines.add("| run | ports | time | ports/s | ratio |");
        lines.add("|---|---|---|---|---|");
        lines.add(row("(e) raw JSON, 1 port per transaction, pipelined", rawOne, "floor"));
        lines.add(row("(a) ovnk client, 1 port per transaction, pipelined", clientOne,
                String.format(Locale.ROOT, "%.2f x the floor (target <= 1.5)", (double) clientOne.nanos() / rawOne.nanos())));
        lines.add(row("(e) raw JSON, 100 ports per transaction, pipelined", rawHundred, "floor"));
        lines.add(row("(b) ovnk client, 100 ports per transaction, pipelined", clientHundred,
                String.format(Locale.ROOT, "%.2f x the floor (target <= 1.5)", (double) clientHundred.nanos() / rawHundred.nanos())));
        lines.add(row("(c) ovn-nbctl daemon mode, 1 lsp-add per call", daemon,
                String.format(Locale.ROOT, "(a) is %.0f x faster (target >= 30)", clientOne.perSecond() / daemon.perSecond())));
        lines.add(row("(d) ovn-nbctl, one process per 100 chained lsp-add", chained,
                String.format(Locale.ROOT, "(b) is %.1f x faster", clientHundred.perSecond() / chained.perSecond())));

        // (f): one warm-up (the reply parser and cache builder are otherwise cold), then the median of REPEATS
        onFreshServerRaw(stack -> initialSync(stack, syncPorts));
        List<long[]> syncs = new ArrayList<>();
        for (int round = 0; round < REPEATS; round++) {
            long[] one = onFreshServerRaw(stack -> initialSync(stack, syncPorts));
            System.out.printf(Locale.ROOT, "(f) sync of %d ports: %.0f ms (server alone %.0f ms)%n", syncPorts, one[0] / 1e6,
                    one[2] / 1e6);
            syncs.add(one);
        }
        syncs.sort(java.util.Comparator.comparingLong(one -> one[0]));
        long[] sync = syncs.get(syncs.size() / 2);
        lines.add("");
        lines.add(String.format(Locale.ROOT, "(f) initial monitor sync of %d ports (+%d switches), median of %d runs "
                + "(range %.0f-%.0f ms): %.0f ms until the cache is ready (target < 2000 ms), %.0f bytes of heap per "
                + "cached row (target < 1024); in that run the server alone took %.0f ms to send the same monitor reply "
                + "to a raw socket (%.2f x)", syncPorts, syncPorts / 1000, REPEATS, syncs.get(0)[0] / 1e6,
                syncs.get(syncs.size() - 1)[0] / 1e6, sync[0] / 1e6, sync[1] / (double) (syncPorts + syncPorts / 1000),
                sync[2] / 1e6, (double) sync[0] / sync[2]));
        Report.publish(lines);
    }

    private static Result median(List<Result> results) {
        List<Result> sorted = new ArrayList<>(results);
        sorted.sort(java.util.Comparator.comparingLong(Result::nanos));
        return sorted.get(sorted.size() / 2);
    }

    private static String row(String what, Result result, String ratio) {
        return String.format(Locale.ROOT, "| %s | %d | %.0f ms | %.0f | %s |", what, result.ports(), result.millis(),
                result.perSecond(), ratio);
    }

    interface Run<T> {
        T run(OvnStack stack) throws Exception;
    }

    private static Result onFreshServer(Run<Result> run) throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly()) {
            stack.nbctl("ls-add", "sw0");
            Result result = run.run(stack);
            long made = Long.parseLong(stack.nbctl("--bare", "--columns=_uuid", "find", "Logical_Switch_Port").lines()
                    .filter(line -> !line.isBlank()).count() + "");
            if (made != result.ports()) {
                throw new IllegalStateException(result.what() + ": " + made + " ports exist, expected " + result.ports());
            }
            System.out.printf(Locale.ROOT, "%s: %d ports in %.0f ms%n", result.what(), result.ports(), result.millis());
            return result;
        }
    }

    private static long[] onFreshServerRaw(Run<long[]> run) throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly()) {
            return run.run(stack);
        }
    }

    // ---- (a) and (b): the client

    private static Result client(OvnStack stack, int ports, int perTransaction) throws Exception {
        try (OvsdbClient client = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote())
                .withRequestTimeout(Duration.ofMinutes(5)))) {
            client.connected().get(30, TimeUnit.SECONDS);
            UUID sw = client.transact(Operation.select("Logical_Switch").where(Condition.equal("name", "sw0")))
                    .get(10, TimeUnit.SECONDS).rows(0).get(0).uuid();
            long start = System.nanoTime();
            List<CompletableFuture<TransactionResult>> pending = new ArrayList<>(ports / perTransaction);
            for (int t = 0; t < ports / perTransaction; t++) {
                List<Operation> operations = new ArrayList<>(perTransaction + 1);
                Set<Object> references = new HashSet<>();
                for (int p = 0; p < perTransaction; p++) {
                    operations.add(Operation.insert("Logical_Switch_Port").set("name", "lsp" + (t * perTransaction + p))
                            .withUuidName("p" + p));
                    references.add(NamedUuid.of("p" + p));
                }
                operations.add(Operation.mutate("Logical_Switch").where(Condition.uuid(sw))
                        .mutation(Mutation.insert("ports", references)));
                pending.add(client.transact(operations, Duration.ofMinutes(5)));
            }
            for (CompletableFuture<TransactionResult> future : pending) {
                future.get(5, TimeUnit.MINUTES);
            }
            return new Result(perTransaction == 1 ? "(a) client, 1 per transaction" : "(b) client, 100 per transaction",
                    ports, System.nanoTime() - start);
        }
    }

    // ---- (e): the server's floor

    private static Result raw(OvnStack stack, int ports, int perTransaction) throws Exception {
        String sw = stack.nbctl("--bare", "--columns=_uuid", "find", "Logical_Switch", "name=sw0").strip();
        List<byte[]> requests = new ArrayList<>();
        for (int t = 0; t < ports / perTransaction; t++) {
            StringBuilder json = new StringBuilder("{\"id\":").append(t).append(",\"method\":\"transact\",\"params\":[\"OVN_Northbound\"");
            StringBuilder references = new StringBuilder();
            for (int p = 0; p < perTransaction; p++) {
                json.append(",{\"op\":\"insert\",\"table\":\"Logical_Switch_Port\",\"row\":{\"name\":\"lsp")
                        .append(t * perTransaction + p).append("\"},\"uuid-name\":\"p").append(p).append("\"}");
                references.append(p == 0 ? "" : ",").append("[\"named-uuid\",\"p").append(p).append("\"]");
            }
            json.append(",{\"op\":\"mutate\",\"table\":\"Logical_Switch\",\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"")
                    .append(sw).append("\"]]],\"mutations\":[[\"ports\",\"insert\",[\"set\",[").append(references)
                    .append("]]]]}]}");
            requests.add(json.toString().getBytes(StandardCharsets.UTF_8));
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(stack.northbound().socket()));
            long start = System.nanoTime();
            Thread writer = new Thread(() -> {
                try {
                    for (byte[] request : requests) {
                        ByteBuffer buffer = ByteBuffer.wrap(request);
                        while (buffer.hasRemaining()) {
                            channel.write(buffer);
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            countReplies(channel, requests.size());
            writer.join();
            return new Result(perTransaction == 1 ? "(e) raw, 1 per transaction" : "(e) raw, 100 per transaction",
                    ports, System.nanoTime() - start);
        }
    }

    /** Reads until {@code expected} whole JSON messages arrived (tokenized, not brace-counted). */
    private static void countReplies(SocketChannel channel, int expected) throws Exception {
        JsonParser parser = JsonFactory.builder().build().createNonBlockingByteArrayParser(ObjectReadContext.empty());
        ByteArrayFeeder feeder = (ByteArrayFeeder) parser.nonBlockingInputFeeder();
        byte[] buffer = new byte[256 * 1024];
        int depth = 0;
        int replies = 0;
        while (replies < expected) {
            int n = channel.read(ByteBuffer.wrap(buffer));
            if (n < 0) {
                throw new IllegalStateException("the server closed after " + replies + " replies");
            }
            feeder.feedInput(buffer, 0, n);
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.NOT_AVAILABLE && token != null) {
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd() && --depth == 0) {
                    replies++;
                }
            }
        }
    }

    // ---- (c) and (d): ovn-nbctl

    private static Result nbctlChained(OvnStack stack, int ports) {
        Commands commands = stack.commands();
        long start = System.nanoTime();
        for (int t = 0; t < ports / PER_TRANSACTION; t++) {
            List<String> command = new ArrayList<>(List.of("ovn-nbctl", "--db=" + stack.northbound().unixRemote()));
            for (int p = 0; p < PER_TRANSACTION; p++) {
                command.addAll(List.of("--", "lsp-add", "sw0", "lsp" + (t * PER_TRANSACTION + p)));
            }
            commands.run(Duration.ofMinutes(1), command);
        }
        return new Result("(d) ovn-nbctl, 100 chained per process", ports, System.nanoTime() - start);
    }

    /**
     * ovn-nbctl in daemon mode. The daemon can only be started with --detach (then PID 1 is its parent); it is
     * stopped by the PID in its pidfile.
     */
    private static Result nbctlDaemon(OvnStack stack, int ports) throws Exception {
        Commands commands = stack.commands();
        Path pidfile = stack.directory().resolve("nbctl-daemon.pid");
        Path control = stack.directory().resolve("nbctl-daemon.ctl");
        commands.run(Duration.ofSeconds(30), List.of("ovn-nbctl", "--db=" + stack.northbound().unixRemote(), "--detach",
                "--no-chdir", "--pidfile=" + pidfile, "--unixctl=" + control,
                "--log-file=" + stack.directory().resolve("nbctl-daemon.log")));
        long pid = Long.parseLong(Files.readString(pidfile).strip());
        try {
            Commands daemon = new Commands(java.util.Map.of("OVN_NB_DAEMON", control.toString()));
            long start = System.nanoTime();
            for (int i = 0; i < ports; i++) {
                daemon.run(Duration.ofSeconds(30), List.of("ovn-nbctl", "lsp-add", "sw0", "lsp" + i));
            }
            return new Result("(c) ovn-nbctl daemon mode", ports, System.nanoTime() - start);
        } finally {
            ProcessHandle.of(pid).filter(p -> p.info().command().orElse("").endsWith("ovn-nbctl"))
                    .ifPresent(ProcessHandle::destroy);
        }
    }

    // ---- (f): initial sync

    private static long[] initialSync(OvnStack stack, int ports) throws Exception {
        try (OvsdbClient writer = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote())
                .withRequestTimeout(Duration.ofMinutes(5)))) {
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int s = 0; s < ports / 1000; s++) {
                List<Operation> operations = new ArrayList<>();
                Set<Object> references = new HashSet<>();
                for (int p = 0; p < 1000; p++) {
                    operations.add(Operation.insert("Logical_Switch_Port").set("name", "p" + s + "-" + p)
                            .set("addresses", Set.of(String.format("0a:58:0a:%02x:%02x:%02x 10.%d.%d.%d", s >> 8, s & 255, p & 255,
                                    s >> 8, s & 255, p & 255)))
                            .withUuidName("p" + p));
                    references.add(NamedUuid.of("p" + p));
                }
                operations.add(Operation.insert("Logical_Switch").set("name", "s" + s).set("ports", references));
                pending.add(writer.transact(operations, Duration.ofMinutes(5)));
            }
            for (CompletableFuture<?> future : pending) {
                future.get(5, TimeUnit.MINUTES);
            }
        }
        long floor = rawMonitor(stack);
        long before = heapAfterGc();
        long start = System.nanoTime();
        try (OvsdbClient reader = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().tcpRemote())
                .withRequestTimeout(Duration.ofMinutes(5)))) {
            reader.monitor(TableMonitor.of("Logical_Switch"), TableMonitor.of("Logical_Switch_Port")).get(5, TimeUnit.MINUTES);
            long nanos = System.nanoTime() - start;
            long after = heapAfterGc();
            if (reader.cache().table("Logical_Switch_Port").size() != ports) {
                throw new IllegalStateException("cache holds " + reader.cache().table("Logical_Switch_Port").size());
            }
            return new long[] { nanos, after - before, floor };
        }
    }

    /** The server's part of (f): the same monitor_cond request, its reply read and tokenized, nothing built. */
    private static long rawMonitor(OvnStack stack) throws Exception {
        String request = "{\"id\":1,\"method\":\"monitor_cond\",\"params\":[\"OVN_Northbound\",\"raw\","
                + "{\"Logical_Switch\":{},\"Logical_Switch_Port\":{}}]}";
        try (SocketChannel channel = SocketChannel.open(new java.net.InetSocketAddress("127.0.0.1",
                stack.northbound().tcpPort()))) {
            long start = System.nanoTime();
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            countReplies(channel, 1);
            return System.nanoTime() - start;
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100); // let the collector settle: a measurement, not a synchronisation
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
