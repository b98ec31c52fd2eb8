package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.Cache;
import io.ovnk.ovsdb.CachedTable;
import io.ovnk.ovsdb.ChangeListener;
import io.ovnk.ovsdb.DeadlineExceededException;
import io.ovnk.ovsdb.ProtocolException;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.RowChange;
import io.ovnk.ovsdb.TableMonitor;
import io.ovnk.ovsdb.TableSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The cache: replicated tables, updated one server message at a time under a write lock (so {@link #read} sees
 * whole updates), feeding listeners and waiters after each update. Only the client's worker thread applies
 * updates.
 */
final class Replica implements Cache {

    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, TableReplica> tables = new ConcurrentHashMap<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final Executor delivery;
    private final ScheduledExecutorService scheduler;
    private volatile String lastTransactionId;

    Replica(Executor delivery, ScheduledExecutorService scheduler) {
        this.delivery = delivery;
        this.scheduler = scheduler;
    }

    /** Adds a table to replicate (worker thread). A table already replicated keeps its rows. */
    void define(TableSchema schema, TableMonitor monitor) {
        tables.putIfAbsent(schema.name(), new TableReplica(schema, monitor));
    }

    /** Stops replicating tables: their rows leave the cache, and listeners hear each one go. */
    void drop(Set<String> names) {
        List<RowChange> changes = new ArrayList<>();
        lock.writeLock().lock();
        try {
            for (String name : names) {
                TableReplica replica = tables.remove(name);
                if (replica != null) {
                    replica.rows().forEach(row -> changes.add(new RowChange(name, row.uuid(), row, null)));
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
        publish(changes);
    }

    TableReplica replica(String table) {
        return tables.get(table);
    }

    void transactionId(String id) {
        if (id != null) {
            lastTransactionId = id;
        }
    }

    /**
     * Applies a table-updates object: version 1 ({@code update}: "old"/"new" rows) or 2 ({@code update2} and
     * {@code update3}: "initial", "insert", "delete", "modify").
     */
    void apply(JsonNode tableUpdates, int version) {
        List<RowChange> changes = new ArrayList<>();
        lock.writeLock().lock();
        try {
            requireObject(tableUpdates, "the table updates");
            for (Map.Entry<String, JsonNode> table : tableUpdates.properties()) {
                TableReplica replica = tables.get(table.getKey());
                if (replica == null) {
                    throw new ProtocolException("an update for table " + table.getKey() + ", which is not monitored");
                }
                requireObject(table.getValue(), "the update of table " + table.getKey());
                Object[] defaults = Rows.defaults(replica.schema(), replica.monitoredColumns());
                for (Map.Entry<String, JsonNode> rowUpdate : table.getValue().properties()) {
                    UUID uuid = uuid(rowUpdate.getKey());
                    RowChange change = version == 1 ? applyV1(replica, uuid, rowUpdate.getValue())
                            : applyV2(replica, uuid, rowUpdate.getValue(), defaults);
                    if (change != null) {
                        changes.add(change);
                    }
                }
            }
        } catch (RuntimeException e) {
            undo(changes);
            throw e;
        } finally {
            lock.writeLock().unlock();
        }
        publish(changes);
    }

    /**
     * Takes back what an update applied before it turned out bad: an update is applied whole or not at all, so
     * that the cache never holds half of one (which a resumed monitor would never correct) and listeners never
     * miss what was applied.
     */
    private void undo(List<RowChange> applied) {
        for (int i = applied.size() - 1; i >= 0; i--) {
            RowChange change = applied.get(i);
            TableReplica replica = tables.get(change.table());
            if (change.old() == null) {
                replica.remove(change.uuid());
            } else {
                replica.put(change.old());
            }
        }
    }

    private static void requireObject(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw new ProtocolException(what + " is not an object: " + Values.abbreviate(node));
        }
    }

    /**
     * Makes {@code table} hold exactly the rows of a full (non-incremental) monitor reply: what is missing is
     * deleted, what differs is modified; unchanged rows produce no event.
     */
    void replace(Set<String> monitoredTables, JsonNode tableUpdates, int version) {
        List<RowChange> changes = new ArrayList<>();
        lock.writeLock().lock();
        try {
            Map<String, Set<UUID>> seen = new HashMap<>();
            requireObject(tableUpdates, "the monitored rows");
            for (Map.Entry<String, JsonNode> table : tableUpdates.properties()) {
                TableReplica replica = tables.get(table.getKey());
                if (replica == null) {
                    throw new ProtocolException("an update for table " + table.getKey() + ", which is not monitored");
                }
                requireObject(table.getValue(), "the rows of table " + table.getKey());
                Object[] defaults = Rows.defaults(replica.schema(), replica.monitoredColumns());
                Set<UUID> uuids = seen.computeIfAbsent(table.getKey(), k -> new HashSet<>());
                for (Map.Entry<String, JsonNode> rowUpdate : table.getValue().properties()) {
                    UUID uuid = uuid(rowUpdate.getKey());
                    uuids.add(uuid);
                    RowChange change = version == 1 ? applyV1(replica, uuid, rowUpdate.getValue())
                            : applyV2(replica, uuid, rowUpdate.getValue(), defaults);
                    if (change != null) {
                        changes.add(change);
                    }
                }
            }
            for (String name : monitoredTables) {
                TableReplica replica = tables.get(name);
                Set<UUID> keep = seen.getOrDefault(name, Set.of());
                for (UUID uuid : replica.uuids()) {
                    if (!keep.contains(uuid)) {
                        changes.add(new RowChange(name, uuid, replica.remove(uuid), null));
                    }
                }
            }
        } catch (RuntimeException e) {
            undo(changes);
            throw e;
        } finally {
            lock.writeLock().unlock();
        }
        publish(changes);
    }

    private static RowChange applyV1(TableReplica replica, UUID uuid, JsonNode update) {
        JsonNode fresh = update.get("new");
        if (fresh == null || fresh.isNull()) {
            Row old = replica.remove(uuid);
            return old == null ? null : new RowChange(replica.name(), uuid, old, null);
        }
        Row row = Rows.decode(replica.schema(), fresh, uuid);
        Row old = replica.put(row);
        return row.equals(old) ? null : new RowChange(replica.name(), uuid, old, row);
    }

    private static RowChange applyV2(TableReplica replica, UUID uuid, JsonNode update, Object[] defaults) {
        if (update.has("initial") || update.has("insert")) {
            JsonNode json = update.has("initial") ? update.get("initial") : update.get("insert");
            Row row = Rows.decode(replica.schema(), json, uuid, defaults);
            Row old = replica.put(row);
            return row.equals(old) ? null : new RowChange(replica.name(), uuid, old, row);
        }
        if (update.has("delete")) {
            Row old = replica.remove(uuid);
            return old == null ? null : new RowChange(replica.name(), uuid, old, null);
        }
        if (update.has("modify")) {
            Row old = replica.get(uuid).orElseThrow(() -> new ProtocolException(replica.name() + ": modify of row "
                    + uuid + ", which the cache does not have"));
            Row row = Rows.applyDiff(old, update.get("modify"));
            replica.put(row);
            return new RowChange(replica.name(), uuid, old, row);
        }
        throw new ProtocolException(replica.name() + ": a row update without initial, insert, delete or modify: "
                + Values.abbreviate(update));
    }

    private static UUID uuid(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("a row update keyed by \"" + text + "\", which is not a UUID");
        }
    }

    // ---- listeners and waiters

    private void publish(List<RowChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        for (Subscription subscription : subscriptions) {
            subscription.offer(changes);
        }
        for (Waiter waiter : waiters) {
            waiter.check(changes);
        }
    }

    @Override
    public AutoCloseable listen(ChangeListener listener, String... tableNames) {
        Subscription subscription = new Subscription(listener, Set.of(tableNames), delivery);
        subscriptions.add(subscription);
        return () -> subscriptions.remove(subscription);
    }

    @Override
    public CompletableFuture<Row> await(String table, Predicate<Row> condition, Duration timeout) {
        CachedTable replica = table(table);
        CompletableFuture<Row> future = new CompletableFuture<>();
        Waiter waiter = new Waiter(table, change -> change.current() != null && condition.test(change.current()), () -> {
            List<Row> found = replica.find(condition);
            if (!found.isEmpty()) {
                future.complete(found.get(0));
            }
        }, change -> future.complete(change.current()), future);
        register(waiter, future, timeout, table + ": no row matched within " + timeout.toMillis() + " ms");
        return future;
    }

    @Override
    public CompletableFuture<Void> awaitNone(String table, Predicate<Row> condition, Duration timeout) {
        CachedTable replica = table(table);
        CompletableFuture<Void> future = new CompletableFuture<>();
        Runnable check = () -> {
            if (replica.find(condition).isEmpty()) {
                future.complete(null);
            }
        };
        Waiter waiter = new Waiter(table, change -> true, check, change -> check.run(), future);
        register(waiter, future, timeout, table + ": rows still matched after " + timeout.toMillis() + " ms");
        return future;
    }

    private void register(Waiter waiter, CompletableFuture<?> future, Duration timeout, String expiry) {
        lock.readLock().lock();
        try {
            waiter.initial.run();
            if (!future.isDone()) {
                waiters.add(waiter);
            }
        } finally {
            lock.readLock().unlock();
        }
        if (!future.isDone()) {
            var deadline = scheduler.schedule(() -> future.completeExceptionally(new DeadlineExceededException(expiry)),
                    timeout.toNanos(), TimeUnit.NANOSECONDS);
            future.whenComplete((result, failure) -> {
                deadline.cancel(false);
                waiters.remove(waiter);
            });
        }
    }

    /** A pending await: which changes may satisfy it, what to do then. */
    private record Waiter(String table, Predicate<RowChange> relevant, Runnable initial,
            java.util.function.Consumer<RowChange> onMatch, CompletableFuture<?> future) {
        void check(List<RowChange> changes) {
            for (RowChange change : changes) {
                if (future.isDone()) {
                    return;
                }
                if (change.table().equals(table) && relevant.test(change)) {
                    try {
                        onMatch.accept(change);
                    } catch (RuntimeException e) {
                        future.completeExceptionally(e);
                    }
                }
            }
        }
    }

    /**
     * A listener's pending changes, merged per row while it is busy, delivered one batch at a time on the
     * delivery executor: the cache never waits for a listener and never drops a change.
     */
    private static final class Subscription {
        private final ChangeListener listener;
        private final Set<String> tables;
        private final Executor executor;
        private LinkedHashMap<String, RowChange> pending = new LinkedHashMap<>();
        private boolean scheduled;

        Subscription(ChangeListener listener, Set<String> tables, Executor executor) {
            this.listener = listener;
            this.tables = tables;
            this.executor = executor;
        }

        void offer(List<RowChange> changes) {
            synchronized (this) {
                for (RowChange change : changes) {
                    if (!tables.isEmpty() && !tables.contains(change.table())) {
                        continue;
                    }
                    String key = change.table() + '/' + change.uuid();
                    RowChange earlier = pending.get(key);
                    if (earlier == null) {
                        pending.put(key, change);
                    } else if (earlier.old() == null && change.current() == null) {
                        pending.remove(key); // inserted and deleted before the listener looked: nothing happened
                    } else {
                        pending.put(key, new RowChange(change.table(), change.uuid(), earlier.old(), change.current()));
                    }
                }
                if (scheduled || pending.isEmpty()) {
                    return;
                }
                scheduled = true;
            }
            executor.execute(this::deliver);
        }

        private void deliver() {
            while (true) {
                List<RowChange> batch;
                synchronized (this) {
                    if (pending.isEmpty()) {
                        scheduled = false;
                        return;
                    }
                    batch = new ArrayList<>(pending.values());
                    pending = new LinkedHashMap<>();
                }
                try {
                    listener.changed(batch);
                } catch (RuntimeException e) {
                    LOG.error("an OVSDB change listener ({}) failed on {} changes; it keeps receiving the next ones",
                            listener.getClass().getName(), batch.size(), e);
                }
            }
        }
    }

    // ---- reads

    @Override
    public Set<String> tables() {
        return Set.copyOf(tables.keySet());
    }

    @Override
    public CachedTable table(String name) {
        TableReplica replica = tables.get(name);
        if (replica == null) {
            throw new IllegalArgumentException("table " + name + " is not monitored (monitored: " + tables.keySet() + ")");
        }
        return replica;
    }

    @Override
    public <T> List<T> rows(io.ovnk.ovsdb.TableModel<T> model) {
        java.util.Collection<Row> rows = table(model.table()).rows();
        List<T> views = new ArrayList<>(rows.size());
        for (Row row : rows) {
            views.add(model.view(row));
        }
        return views;
    }

    @Override
    public <T> Optional<T> get(io.ovnk.ovsdb.TableModel<T> model, UUID uuid) {
        return table(model.table()).get(uuid).map(model::view);
    }

    @Override
    public <T> T read(Function<Cache, T> reader) {
        lock.readLock().lock();
        try {
            return reader.apply(this);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<String> lastTransactionId() {
        return Optional.ofNullable(lastTransactionId);
    }
}
