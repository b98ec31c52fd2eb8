package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.Cache;
import io.ovnk.ovsdb.DatabaseSchema;
import io.ovnk.ovsdb.LockListener;
import io.ovnk.ovsdb.NotConnectedException;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbException;
import io.ovnk.ovsdb.ProtocolException;
import io.ovnk.ovsdb.Remote;
import io.ovnk.ovsdb.RpcErrorException;
import io.ovnk.ovsdb.TableMonitor;
import io.ovnk.ovsdb.TransactionResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The client: one connection at a time, re-established for ever with capped, jittered exponential backoff;
 * monitors re-established from their last transaction ids; requests made while disconnected wait within their
 * deadline. Owns its threads: a timer (deadlines, probes, reconnect pauses), a worker (connecting, applying
 * updates) and a delivery thread (listeners); each connection has its reader.
 */
public final class Client implements OvsdbClient {

    private static final Logger LOG = LoggerFactory.getLogger(Client.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final String NO_TRANSACTION = "00000000-0000-0000-0000-000000000000";
    /** The monitor id of the leader-only watch on the _Server database. */
    private static final String SERVER_MONITOR = "ovnk-leader";

    /** Replaced whole by {@link #reconfigure}; every use reads it once. */
    private volatile OvsdbClientConfig config;
    private final String name;
    private final ScheduledExecutorService timer;
    private final ExecutorService worker;
    private final ExecutorService delivery;
    private final Replica cache;
    private final List<MonitorGroup> monitors = new CopyOnWriteArrayList<>();
    private final Set<String> wantedLocks = ConcurrentHashMap.newKeySet();
    private final Set<String> heldLocks = ConcurrentHashMap.newKeySet();
    private final List<LockListener> lockListeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<State>> stateListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicInteger monitorIds = new AtomicInteger();
    /** Monitors (re)loaded in full, and resumed from a transaction id: a reconnect should resume. */
    private final AtomicLong fullLoads = new AtomicLong();
    private final AtomicLong resumes = new AtomicLong();
    /** Echo requests of the server answered, and who waits for a count of them (tests). */
    private final AtomicLong probesAnswered = new AtomicLong();
    private final List<java.util.Map.Entry<Long, CompletableFuture<Void>>> probeWaiters = new CopyOnWriteArrayList<>();
    private volatile CompletableFuture<Session> ready = new CompletableFuture<>();
    /** Guards replacing {@link #ready}: a request and the worker must not each replace it (one would be orphaned). */
    private final Object readyLock = new Object();
    private volatile Session session;
    private volatile DatabaseSchema schema;
    private volatile boolean closed;
    /** Why the last connection attempt failed, for the message of requests that give up waiting. */
    private volatile String lastFailure;
    private int attempt;
    private int nextRemote;

    /**
     * A connection with its schema, once its monitors are in place; {@code locks} are the lock requests made on
     * it (the server refuses a second "lock" of one lock on one session).
     */
    private record Session(JsonRpcConnection connection, Remote remote, DatabaseSchema schema,
            java.util.Map<String, CompletableFuture<Boolean>> locks) {
        Session(JsonRpcConnection connection, Remote remote, DatabaseSchema schema) {
            this(connection, remote, schema, new ConcurrentHashMap<>());
        }
    }

    /** Tables monitored together under one monitor id, resumed from their own last transaction id. */
    private static final class MonitorGroup {
        final String id;
        final List<TableMonitor> tables;
        volatile String lastTransactionId;
        /** 3 for monitor_cond_since/update3, 2 for monitor_cond/update2, 1 for monitor/update. */
        volatile int version = 3;
        final CompletableFuture<Void> firstLoad = new CompletableFuture<>();
        /**
         * Worker only. False from the monitor request until its reply is in the cache: an update can overtake the
         * reply's handling (the reply may complete before its handler is attached), and applying it first would
         * let the reply's full load wipe it out. Such updates wait in {@link #early}.
         */
        boolean replied;
        final List<Runnable> early = new ArrayList<>();
        /** Worker only. The session this group's monitor was last established on. */
        Object establishedOn;

        MonitorGroup(String id, List<TableMonitor> tables) {
            this.id = id;
            this.tables = List.copyOf(tables);
        }

        Set<String> tableNames() {
            Set<String> names = new java.util.HashSet<>();
            tables.forEach(t -> names.add(t.table()));
            return names;
        }
    }

    public Client(OvsdbClientConfig config) {
        this(config, ClientObserver.NONE);
    }

    /** @param observer told of every transaction's outcome and of every reconnection (metrics) */
    public Client(OvsdbClientConfig config, ClientObserver observer) {
        this.config = config;
        this.observer = observer;
        // thread names tell clients apart without a static counter (no static mutable state in a bundle)
        this.name = "ovsdb-" + config.database() + "-" + Integer.toHexString(System.identityHashCode(this));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon(name + "-timer"));
        this.worker = Executors.newSingleThreadExecutor(daemon(name + "-worker"));
        this.delivery = Executors.newSingleThreadExecutor(daemon(name + "-listeners"));
        this.cache = new Replica(delivery, timer);
        worker.execute(this::connect);
        scheduleProbes(config);
    }

    private volatile java.util.concurrent.ScheduledFuture<?> probes;
    private final ClientObserver observer;

    private void scheduleProbes(OvsdbClientConfig settings) {
        java.util.concurrent.ScheduledFuture<?> previous = probes;
        if (previous != null) {
            previous.cancel(false);
        }
        probes = null;
        if (!settings.probeInterval().isZero()) {
            long period = Math.max(100, settings.probeInterval().toMillis() / 2);
            probes = timer.scheduleWithFixedDelay(this::probe, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Applies a new configuration live. Timeouts, the probe interval and the backoff apply at once; new remotes,
     * TLS files or leader-only make the client reconnect, keeping its cache and monitors (resuming where the new
     * server can). The database cannot change: that is another client.
     */
    public void reconfigure(OvsdbClientConfig next) {
        OvsdbClientConfig previous = config;
        if (!previous.database().equals(next.database())) {
            throw new IllegalArgumentException("database: a client of " + previous.database() + " cannot become one of "
                    + next.database());
        }
        config = next;
        if (!previous.probeInterval().equals(next.probeInterval())) {
            scheduleProbes(next);
        }
        boolean reconnect = !previous.remotes().equals(next.remotes()) || !previous.tls().equals(next.tls())
                || previous.leaderOnly() != next.leaderOnly() || previous.maxFrameBytes() != next.maxFrameBytes();
        if (reconnect) {
            LOG.info("{}: remotes or transport settings changed ({} to {}); reconnecting", next.database(),
                    previous.remotes(), next.remotes());
            worker.execute(() -> {
                nextRemote = 0;
                Session current = session;
                if (current != null) {
                    current.connection().close(new NotConnectedException("reconfigured"));
                }
            });
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    // ---- connecting

    /** One connection attempt (worker thread). */
    private void connect() {
        if (closed) {
            return;
        }
        Remote remote = config.remotes().get(nextRemote % config.remotes().size());
        nextRemote++;
        Transport transport;
        try {
            transport = Transport.open(remote, config.tls().orElse(null), config.connectTimeout());
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: cannot connect to {}: {}", config.database(), remote, e.toString());
            retryLater(remote, e.getMessage());
            return;
        }
        JsonRpcConnection connection = new JsonRpcConnection(transport, config.maxFrameBytes(), new Events(),
                timer, name + "-reader");
        connection.start();
        setUp(connection, remote).whenCompleteAsync((established, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (cause instanceof NotConnectedException) {
                    // a follower during an election, when leader-only: expected, the next remote is tried
                    LOG.debug("{}: {}", config.database(), cause.getMessage());
                } else {
                    LOG.warn("{}: connection to {} failed while setting up: {}", config.database(), remote,
                            cause.getMessage());
                }
                connection.close(cause);
                return; // closed() schedules the next attempt
            }
            if (closed) {
                connection.close();
                return;
            }
            session = established;
            attempt = 0;
            long count = connections.incrementAndGet();
            if (count == 1) {
                LOG.info("{}: connected to {}", config.database(), remote);
            } else {
                LOG.info("{}: reconnected to {} (reconnection {}; {} monitor(s) resumed, {} reloaded in all)",
                        config.database(), remote, count - 1, resumes.get(), fullLoads.get() - monitors.size());
                observer.reconnected(config.database());
            }
            ready.complete(established);
            for (MonitorGroup group : new ArrayList<>(monitors)) {
                if (group.establishedOn == established) {
                    group.firstLoad.complete(null);
                } else {
                    // added while this session was being set up, after its monitors were listed: established now,
                    // so that its future never completes before its rows are in the cache
                    establish(established, group).whenComplete((ok, refused) -> {
                        if (refused != null) {
                            monitors.remove(group);
                            group.firstLoad.completeExceptionally(refused);
                        } else {
                            group.firstLoad.complete(null);
                        }
                    });
                }
            }
            announce(State.CONNECTED);
        }, worker);
    }

    /** Schema, leader check, monitors, locks: in order, each waiting for the last. */
    private CompletableFuture<Session> setUp(JsonRpcConnection connection, Remote remote) {
        Duration timeout = config.requestTimeout();
        return connection.call("get_schema", JsonRpcConnection.params(config.database()), timeout)
                .thenApplyAsync(json -> {
                    DatabaseSchema parsed = SchemaParser.parse(json);
                    DatabaseSchema previous = schema;
                    if (previous != null && !previous.checksum().equals(parsed.checksum())) {
                        LOG.warn("{}: the server's schema changed ({} to {}); new tables and columns apply to new "
                                + "monitors", config.database(), previous.version(), parsed.version());
                    }
                    schema = parsed;
                    return new Session(connection, remote, parsed);
                }, worker)
                .thenComposeAsync(established -> leaderCheck(established).thenApply(ignored -> established), worker)
                .thenComposeAsync(established -> {
                    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
                    for (MonitorGroup group : monitors) {
                        try {
                            validate(established.schema(), group);
                        } catch (OvsdbException e) {
                            // a monitor the server's schema cannot serve fails alone, not the connection
                            monitors.remove(group);
                            group.firstLoad.completeExceptionally(e);
                            continue;
                        }
                        all = all.thenComposeAsync(ignored -> establish(established, group), worker);
                    }
                    return all.thenApply(ignored -> established);
                }, worker)
                .thenComposeAsync(established -> {
                    heldLocks.clear();
                    List<CompletableFuture<Boolean>> locks = new ArrayList<>();
                    // a lock the server refuses does not fail the connection: it is logged and no longer wanted
                    wantedLocks.forEach(lock -> locks.add(established.locks().computeIfAbsent(lock,
                            l -> requestLock(connection, "lock", l)).exceptionally(failure -> {
                                LOG.error("{}: lock {} refused on reconnection ({}); no longer requested",
                                        config.database(), lock, failure.getMessage());
                                wantedLocks.remove(lock);
                                return false;
                            })));
                    return CompletableFuture.allOf(locks.toArray(CompletableFuture[]::new)).thenApply(i -> established);
                }, worker);
    }

    /**
     * With leader-only, a clustered database must lead (and be connected to its cluster) here, and keep leading:
     * a monitor of {@code _Server.Database} drops the connection the moment this server stops leading.
     */
    private CompletableFuture<Void> leaderCheck(Session established) {
        if (!config.leaderOnly()) {
            return CompletableFuture.completedFuture(null);
        }
        ObjectNode requests = Values.NODES.objectNode();
        requests.putObject("Database").putArray("columns").add("name").add("model").add("leader").add("connected")
                .add("schema");
        // change-aware: the server keeps us through a schema conversion and tells us through this monitor
        // (we then reconnect to read the new schema) instead of dropping the connection
        return established.connection().call("set_db_change_aware", JsonRpcConnection.params(true), config.requestTimeout())
                .handle((ignored, unsupported) -> null)
                .thenCompose(ignored -> established.connection().call("monitor",
                        JsonRpcConnection.params("_Server", SERVER_MONITOR, requests), config.requestTimeout()))
                .thenAccept(reply -> {
                    String problem = leadership(reply, false);
                    if (problem != null) {
                        throw new NotConnectedException(established.remote() + " " + problem);
                    }
                });
    }


    /**
     * Why the {@code _Server.Database} rows in an update say this is not the place to be, or null.
     *
     * @param update true for a change notification, where a new schema is a reason to reconnect too
     */
    private String leadership(JsonNode tableUpdates, boolean update) {
        for (JsonNode row : tableUpdates.path("Database")) {
            JsonNode current = row.path("new");
            if (current.isMissingNode() || !config.database().equals(current.path("name").asString(""))) {
                continue;
            }
            if (update && row.path("old").has("schema")) {
                return "converted " + config.database() + " to a new schema";
            }
            boolean clustered = "clustered".equals(current.path("model").asString(""));
            if (clustered && !current.path("leader").asBoolean(false)) {
                return "is not the leader of " + config.database();
            }
            if (clustered && !current.path("connected").asBoolean(false)) {
                return "is not connected to its cluster";
            }
        }
        return null;
    }

    private void retryLater(Remote remote, String reason) {
        if (closed) {
            return;
        }
        lastFailure = remote + ": " + reason;
        // a full round over the remotes without success backs off; moving to the next remote is immediate
        long delay = 0;
        if (nextRemote % config.remotes().size() == 0) {
            attempt++;
            long ceiling = Math.min(config.maxBackoff().toMillis(), MIN_BACKOFF.toMillis() << Math.min(attempt, 20));
            delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
            // the loss itself was logged; say more only when reconnecting keeps failing
            if (attempt == 3 || attempt % 20 == 0) {
                LOG.warn("{}: no connection ({}: {}); retrying every {} ms at most, for as long as it takes",
                        config.database(), remote, reason, config.maxBackoff().toMillis());
            }
        }
        timer.schedule(() -> worker.execute(this::connect), delay, TimeUnit.MILLISECONDS);
    }

    /** The connection's events, on its reader thread: updates go to the worker in order. */
    private final class Events implements JsonRpcConnection.Listener {
        @Override
        public void notification(String method, JsonNode params) {
            if (closed) {
                return;
            }
            try {
                dispatch(method, params);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // the client closed between the check above and now: an update for it has no one to go to
            }
        }

        private void dispatch(String method, JsonNode params) {
            switch (method) {
                case "update3" -> worker.execute(() -> update(params.path(0).asString(null), params.path(1).asString(null),
                        params.path(2), 2));
                case "update2" -> worker.execute(() -> update(params.path(0).asString(null), null, params.path(1), 2));
                case "update" -> {
                    if (SERVER_MONITOR.equals(params.path(0).asString(null))) {
                        serverUpdate(params.path(1));
                    } else {
                        worker.execute(() -> update(params.path(0).asString(null), null, params.path(1), 1));
                    }
                }
                case "locked" -> lockEvent(params.path(0).asString(""), true);
                case "stolen" -> lockEvent(params.path(0).asString(""), false);
                default -> LOG.debug("{}: ignoring notification {}", config.database(), method);
            }
        }

        @Override
        public void probed() {
            long answered = probesAnswered.incrementAndGet();
            probeWaiters.removeIf(waiter -> {
                if (answered >= waiter.getKey()) {
                    waiter.getValue().complete(null);
                    return true;
                }
                return false;
            });
        }

        @Override
        public void closed(Throwable cause) {
            try {
                worker.execute(() -> disconnected(cause));
            } catch (java.util.concurrent.RejectedExecutionException clientClosed) {
                // the client is closing: nothing to reconnect
            }
        }
    }

    /** A change of _Server.Database (reader thread): leave a server that no longer leads. */
    private void serverUpdate(JsonNode tableUpdates) {
        String problem = leadership(tableUpdates, true);
        Session current = session;
        if (problem != null && current != null) {
            LOG.info("{}: {} {}; moving to the leader", config.database(), current.remote(), problem);
            current.connection().close(new NotConnectedException(current.remote() + " " + problem));
        }
    }

    /** Replaces {@code seen} with a pending "ready" if it is still current and done; returns the current one. */
    private CompletableFuture<Session> renewReady(CompletableFuture<Session> seen) {
        synchronized (readyLock) {
            if (ready == seen && seen.isDone() && !closed) {
                ready = new CompletableFuture<>();
            }
            return ready;
        }
    }

    private void disconnected(Throwable cause) {
        Session lost = session;
        // a fresh "ready" before the session is cleared: whoever sees no session must not find the old one ready
        renewReady(ready);
        session = null;
        heldLocks.clear();
        if (closed) {
            return;
        }
        String reason = cause == null ? "closed" : cause.getMessage();
        if (lost != null) {
            announce(State.CONNECTING);
            LOG.warn("{}: connection to {} lost ({}); reconnecting", config.database(), lost.remote(), reason);
        }
        retryLater(lost != null ? lost.remote() : config.remotes().get(0), reason);
    }

    private void update(String monitorId, String transactionId, JsonNode tableUpdates, int version) {
        MonitorGroup group = monitors.stream().filter(g -> g.id.equals(monitorId)).findFirst().orElse(null);
        if (group == null) {
            return; // a monitor we cancelled
        }
        if (!group.replied) {
            group.early.add(() -> update(monitorId, transactionId, tableUpdates, version));
            return;
        }
        try {
            cache.apply(tableUpdates, version);
        } catch (OvsdbException e) {
            LOG.error("{}: a bad update from the server ({}); resetting the connection to resynchronise",
                    config.database(), e.getMessage());
            Session current = session;
            if (current != null) {
                current.connection().close(e);
            }
            return;
        }
        if (transactionId != null) {
            group.lastTransactionId = transactionId;
            cache.transactionId(transactionId);
        }
    }

    // ---- monitors

    @Override
    public CompletableFuture<AutoCloseable> monitor(TableMonitor... tables) {
        MonitorGroup group = new MonitorGroup("m" + monitorIds.incrementAndGet(), List.of(tables));
        DatabaseSchema known = schema;
        if (known != null) {
            try {
                validate(known, group);
            } catch (OvsdbException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        CompletableFuture<AutoCloseable> done = new CompletableFuture<>();
        AutoCloseable handle = () -> cancel(group);
        worker.execute(() -> {
            for (MonitorGroup other : monitors) {
                for (String table : group.tableNames()) {
                    if (other.tableNames().contains(table)) {
                        // two monitors of one table would apply each update twice
                        done.completeExceptionally(new io.ovnk.ovsdb.SchemaViolationException(table, null, null,
                                "already monitored (monitor " + other.id + "); cancel that monitor first"));
                        return;
                    }
                }
            }
            monitors.add(group);
            Session current = session;
            if (current == null) {
                // established with the next connection
                group.firstLoad.whenComplete((ok, failure) -> complete(done, handle, failure));
                return;
            }
            establish(current, group).whenComplete((ok, failure) -> {
                if (failure != null) {
                    monitors.remove(group);
                }
                complete(done, handle, failure);
            });
        });
        return done;
    }

    /**
     * Stops a monitor, asynchronously on the worker (so closing it from any callback is safe): monitor_cancel on
     * the server, its tables out of the cache, listeners hearing each row go.
     */
    private void cancel(MonitorGroup group) {
        try {
            worker.execute(() -> {
                if (!monitors.remove(group)) {
                    return;
                }
                Session current = session;
                if (current != null) {
                    current.connection().call("monitor_cancel", JsonRpcConnection.params(group.id), config.requestTimeout());
                }
                cache.drop(group.tableNames());
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the client is closed: nothing is monitored any more
        }
    }


    /** Every table and column of the group exists, and conditions fit: or a SchemaViolationException. */
    private static void validate(DatabaseSchema known, MonitorGroup group) {
        List<String> misfits = new ArrayList<>();
        for (TableMonitor table : group.tables) {
            table.models().forEach(model -> misfits.addAll(model.problems(known)));
        }
        if (!misfits.isEmpty()) {
            throw new io.ovnk.ovsdb.SchemaMismatchException(misfits);
        }
        for (TableMonitor table : group.tables) {
            var tableSchema = known.require(table.table());
            table.columns().forEach(tableSchema::require);
            Transactions.conditions(tableSchema, table.where());
        }
    }

    /** Defines the group's tables in the cache and starts its monitor, resuming where possible (worker). */
    private CompletableFuture<Void> establish(Session established, MonitorGroup group) {
        ObjectNode requests = Values.NODES.objectNode();
        for (TableMonitor table : group.tables) {
            var tableSchema = established.schema().require(table.table());
            table.columns().forEach(tableSchema::require);
            cache.define(tableSchema, table);
            ObjectNode request = Values.NODES.objectNode();
            ArrayNode columns = request.putArray("columns");
            cache.replica(table.table()).monitoredColumns().forEach(columns::add);
            if (!table.where().isEmpty() && group.version >= 2) {
                request.set("where", Transactions.conditions(tableSchema, table.where()));
            }
            requests.set(table.table(), request);
        }
        return monitorCall(established, group, requests).thenApply(loaded -> {
            group.establishedOn = established;
            return loaded;
        });
    }

    private CompletableFuture<Void> monitorCall(Session established, MonitorGroup group, ObjectNode requests) {
        JsonRpcConnection connection = established.connection();
        Duration timeout = config.requestTimeout();
        String method = switch (group.version) {
            case 3 -> "monitor_cond_since";
            case 2 -> "monitor_cond";
            default -> "monitor";
        };
        ArrayNode params = JsonRpcConnection.params(config.database(), group.id, requests);
        if (group.version == 3) {
            params.add(group.lastTransactionId == null ? NO_TRANSACTION : group.lastTransactionId);
        }
        group.replied = false;
        group.early.clear(); // what a previous session sent early is superseded by this request's reply
        return connection.call(method, params, timeout).handleAsync((reply, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (cause instanceof RpcErrorException rpc && rpc.error().contains("unknown method") && group.version > 1) {
                    LOG.info("{}: {} does not offer {}; falling back", config.database(), established.remote(), method);
                    group.version--;
                    return monitorCall(established, group, requests);
                }
                return CompletableFuture.<Void>failedFuture(cause);
            }
            if (group.version == 3) {
                // [found, last-txn-id, updates]: anything else cannot be trusted to say what the cache misses
                if (reply == null || !reply.isArray() || reply.size() != 3 || !reply.get(0).isBoolean()
                        || !reply.get(1).isString() || !reply.get(2).isObject()) {
                    return CompletableFuture.<Void>failedFuture(new ProtocolException(method + " reply is not "
                            + "[found, last-txn-id, updates]: " + Values.abbreviate(reply)));
                }
                boolean found = reply.get(0).booleanValue();
                String transactionId = reply.get(1).stringValue();
                if (found) {
                    resumes.incrementAndGet();
                    cache.apply(reply.path(2), 2);
                } else {
                    fullLoads.incrementAndGet();
                    cache.replace(group.tableNames(), reply.path(2), 2);
                }
                group.lastTransactionId = transactionId;
                cache.transactionId(transactionId);
                LOG.debug("{}: monitor {} {} at {}", config.database(), group.id, found ? "resumed" : "loaded",
                        transactionId);
            } else {
                fullLoads.incrementAndGet();
                cache.replace(group.tableNames(), reply, group.version);
            }
            group.replied = true;
            List<Runnable> overtaking = List.copyOf(group.early);
            group.early.clear();
            overtaking.forEach(Runnable::run);
            return CompletableFuture.<Void>completedFuture(null);
        }, worker).thenCompose(Function.identity());
    }

    // ---- requests

    /** Runs {@code call} on the connection as soon as there is one, within {@code timeout} overall. */
    private <T> CompletableFuture<T> withSession(Duration timeout, String what,
            java.util.function.BiFunction<Session, Duration, CompletableFuture<T>> call) {
        if (closed) {
            return CompletableFuture.failedFuture(new NotConnectedException(what + ": the client is closed"));
        }
        long start = System.nanoTime();
        Session current = session;
        CompletableFuture<Session> connected;
        if (current != null && current.connection().isOpen()) {
            connected = CompletableFuture.completedFuture(current);
        } else {
            // never a "ready" whose connection is gone: retrying on it would recurse, synchronously, until the
            // worker notices the loss (on a loaded machine deep enough to overflow the stack and lose the request)
            CompletableFuture<Session> waitFor = ready;
            if (waitFor.isDone() && !waitFor.isCompletedExceptionally() && !waitFor.join().connection().isOpen()) {
                waitFor = renewReady(waitFor);
            }
            connected = waitFor.copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        return connected.handle((established, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                if (cause instanceof TimeoutException) {
                    String last = lastFailure;
                    cause = new NotConnectedException(what + ": no connection to " + config.database() + " ("
                            + config.remotes() + ") within " + timeout.toMillis() + " ms"
                            + (last == null ? "" : "; last attempt: " + last));
                }
                return CompletableFuture.<T>failedFuture(cause);
            }
            Duration left = timeout.minusNanos(System.nanoTime() - start);
            Duration remaining = left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left;
            return call.apply(established, remaining).exceptionallyCompose(failure2 -> {
                Throwable cause = failure2 instanceof CompletionException ? failure2.getCause() : failure2;
                if (cause instanceof NotSentException) {
                    // the connection died before the request left: the server never saw it, send it on the next
                    CompletableFuture<Session> seen = ready;
                    if (seen.isDone() && !seen.isCompletedExceptionally() && seen.join() == established) {
                        renewReady(seen);
                    }
                    return withSession(remaining, what, call);
                }
                return CompletableFuture.<T>failedFuture(cause);
            });
        }).thenCompose(Function.identity());
    }


    @Override
    public CompletableFuture<TransactionResult> transact(Operation... operations) {
        return transact(List.of(operations), config.requestTimeout());
    }

    @Override
    public CompletableFuture<TransactionResult> transact(List<Operation> operations, Duration timeout) {
        List<Operation> ops = List.copyOf(operations);
        // checked and encoded once, against the schema known now: a violation fails before any wait
        DatabaseSchema known = schema;
        ArrayNode encoded = null;
        if (known != null) {
            try {
                encoded = Transactions.encode(known, ops);
            } catch (OvsdbException e) {
                observer.transaction(config.database(), 0, e);
                return CompletableFuture.failedFuture(e);
            }
        }
        ArrayNode early = encoded;
        long start = System.nanoTime();
        // cancellation does not travel up a chain of futures: the caller's future is linked to the request by hand
        CompletableFuture<TransactionResult> outcome = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicReference<CompletableFuture<?>> request = new java.util.concurrent.atomic.AtomicReference<>();
        withSession(timeout, "transact", (established, left) -> {
            if (outcome.isDone()) {
                return CompletableFuture.<TransactionResult>failedFuture(new java.util.concurrent.CancellationException());
            }
            ArrayNode params = early;
            if (params == null || established.schema() != known) {
                try {
                    params = Transactions.encode(established.schema(), ops);
                } catch (OvsdbException e) {
                    return CompletableFuture.<TransactionResult>failedFuture(e);
                }
            }
            CompletableFuture<JsonNode> call = established.connection().call("transact", params, left);
            request.set(call);
            if (outcome.isCancelled()) {
                call.cancel(false);
            }
            return call.thenApply(reply -> Transactions.decode(established.schema(), ops, reply));
        }).whenComplete((result, failure) -> {
            Runnable settle = () -> {
                // counted before the caller hears of it, so that what the caller saw is in the metrics already
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                observer.transaction(config.database(), System.nanoTime() - start,
                        outcome.isCancelled() ? new java.util.concurrent.CancellationException() : cause);
                if (failure == null) {
                    outcome.complete(result);
                } else {
                    outcome.completeExceptionally(cause);
                }
            };
            // read-your-writes: ovsdb-server sends a transaction's updates before its reply, and the reader hands
            // updates to the worker in order; completing behind them on the worker means the caller's cache shows
            // its own write (a caller that reads the cache right after a write must find it, or it would act on
            // a state that no longer is, e.g. not remove a row it has just inserted)
            try {
                worker.execute(settle);
            } catch (java.util.concurrent.RejectedExecutionException clientClosed) {
                settle.run();
            }
        });
        outcome.whenComplete((result, failure) -> {
            CompletableFuture<?> sent = request.get();
            if (outcome.isCancelled() && sent != null) {
                sent.cancel(false);
            }
        });
        return outcome;
    }

    @Override
    public CompletableFuture<List<String>> listDatabases() {
        return withSession(config.requestTimeout(), "list_dbs", (established, left) -> established.connection()
                .call("list_dbs", Values.NODES.arrayNode(), left).thenApply(reply -> {
                    List<String> names = new ArrayList<>();
                    reply.forEach(db -> names.add(db.asString()));
                    return List.copyOf(names);
                }));
    }

    @Override
    public CompletableFuture<DatabaseSchema> getSchema(String database) {
        return withSession(config.requestTimeout(), "get_schema", (established, left) -> established.connection()
                .call("get_schema", JsonRpcConnection.params(database), left)
                .thenApply(SchemaParser::parse));
    }

    @Override
    public CompletableFuture<Void> echo() {
        return withSession(config.requestTimeout(), "echo", (established, left) -> established.connection()
                .call("echo", JsonRpcConnection.params("ovnk"), left).thenApply(reply -> null));
    }

    /** Keeps the connection honest (timer thread): ask a silent server, keep a busy download alive. */
    private void probe() {
        Session current = session;
        if (current == null || closed) {
            return;
        }
        JsonRpcConnection connection = current.connection();
        long probe = config.probeInterval().toNanos();
        if (connection.receivingLargeMessage() && connection.sinceSentNanos() > probe / 4) {
            // the server probes us when it hears nothing; while it streams a large reply, say something
            connection.call("echo", JsonRpcConnection.params("keepalive"), config.probeInterval());
            return;
        }
        if (connection.idleNanos() > probe && connection.sinceSentNanos() > probe / 2) {
            connection.call("echo", JsonRpcConnection.params("probe"), config.probeInterval()).whenComplete((r, f) -> {
                if (f != null && connection.isOpen()) {
                    LOG.warn("{}: {} did not answer a probe within {} ms; reconnecting", config.database(),
                            current.remote(), config.probeInterval().toMillis());
                    connection.close(f);
                }
            });
        }
    }

    // ---- locks

    /** Lock names are OVSDB ids; the server answers anything else with a syntax error. */
    private static String requireLockId(String lock) {
        if (lock == null || !lock.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("lock \"" + lock + "\" is not an OVSDB id ([A-Za-z_][A-Za-z0-9_]*)");
        }
        return lock;
    }

    @Override
    public CompletableFuture<Boolean> lock(String lock) {
        wantedLocks.add(requireLockId(lock));
        return withSession(config.requestTimeout(), "lock", (established, left) -> established.locks()
                .computeIfAbsent(lock, l -> requestLock(established.connection(), "lock", l)));
    }

    @Override
    public CompletableFuture<Void> steal(String lock) {
        wantedLocks.add(requireLockId(lock));
        return withSession(config.requestTimeout(), "steal", (established, left) -> {
            if (heldLocks.contains(lock)) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (established.locks().remove(lock) != null) {
                // the server takes no steal while this session waits for the same lock: withdraw the wait first
                // (requests on one connection are handled in order, so the steal follows it)
                established.connection().call("unlock", JsonRpcConnection.params(lock), left);
            }
            CompletableFuture<Boolean> stolen = requestLock(established.connection(), "steal", lock);
            established.locks().put(lock, stolen);
            return stolen.thenApply(held -> null);
        });
    }

    private CompletableFuture<Boolean> requestLock(JsonRpcConnection connection, String method, String lock) {
        return connection.call(method, JsonRpcConnection.params(lock), config.requestTimeout()).thenApply(reply -> {
            boolean locked = reply.path("locked").asBoolean(false);
            if (locked && heldLocks.add(lock)) {
                lockListeners.forEach(listener -> listener.locked(lock));
            }
            return locked;
        });
    }

    @Override
    public CompletableFuture<Void> unlock(String lock) {
        wantedLocks.remove(requireLockId(lock));
        heldLocks.remove(lock);
        return withSession(config.requestTimeout(), "unlock", (established, left) -> {
            established.locks().remove(lock);
            return established.connection().call("unlock", JsonRpcConnection.params(lock), left).thenApply(reply -> null);
        });
    }

    private void lockEvent(String lock, boolean locked) {
        if (locked ? heldLocks.add(lock) : heldLocks.remove(lock)) {
            for (LockListener listener : lockListeners) {
                delivery.execute(() -> {
                    if (locked) {
                        listener.locked(lock);
                    } else {
                        listener.stolen(lock);
                    }
                });
            }
        }
    }

    private void announce(State state) {
        for (java.util.function.Consumer<State> listener : stateListeners) {
            try {
                delivery.execute(() -> listener.accept(state));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                return;
            }
        }
    }

    @Override
    public AutoCloseable listenState(java.util.function.Consumer<State> listener) {
        stateListeners.add(listener);
        return () -> stateListeners.remove(listener);
    }

    @Override
    public boolean holds(String lock) {
        return heldLocks.contains(lock);
    }

    @Override
    public AutoCloseable listenLocks(LockListener listener) {
        lockListeners.add(listener);
        return () -> lockListeners.remove(listener);
    }

    // ---- state

    @Override
    public String database() {
        return config.database();
    }

    @Override
    public State state() {
        return closed ? State.CLOSED : session != null ? State.CONNECTED : State.CONNECTING;
    }

    @Override
    public Optional<Remote> remote() {
        Session current = session;
        return current == null ? Optional.empty() : Optional.of(current.remote());
    }

    @Override
    public CompletableFuture<OvsdbClient> connected() {
        Session current = session;
        return current != null ? CompletableFuture.completedFuture(this) : ready.copy().thenApply(s -> this);
    }

    @Override
    public DatabaseSchema schema() {
        DatabaseSchema known = schema;
        if (known == null) {
            throw new NotConnectedException(config.database() + ": not connected yet, the schema is not known");
        }
        return known;
    }

    @Override
    public Cache cache() {
        return cache;
    }

    @Override
    public long connections() {
        return connections.get();
    }

    /** Completes once the server's echo requests have been answered {@code count} times in all. */
    CompletableFuture<Void> probesAnswered(long count) {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        probeWaiters.add(java.util.Map.entry(count, reached));
        if (probesAnswered.get() >= count) {
            reached.complete(null);
        }
        return reached;
    }

    /** How many monitor set-ups loaded their tables in full (the first one always does). */
    long fullLoads() {
        return fullLoads.get();
    }

    /** How many monitor set-ups resumed from a transaction id, receiving only what they missed. */
    long resumes() {
        return resumes.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Session current = session;
        if (current != null) {
            current.connection().close();
        }
        ready.completeExceptionally(new NotConnectedException(config.database() + ": the client is closed"));
        timer.shutdownNow();
        worker.shutdown();
        delivery.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static <T> void complete(CompletableFuture<T> future, T value, Throwable failure) {
        if (failure == null) {
            future.complete(value);
        } else {
            future.completeExceptionally(failure instanceof CompletionException ? failure.getCause() : failure);
        }
    }
}
