package io.ovnk.ovsdb;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A client of one OVSDB database, kept connected: it reconnects on its own (capped exponential backoff with
 * jitter, never giving up) and re-establishes its monitors, from the last transaction id where the server
 * supports {@code monitor_cond_since}, so a reconnect does not reload the database. Requests made while it is
 * disconnected wait within their deadline. Every method returns at once; results come as futures that fail with
 * an {@link OvsdbException}.
 */
@ProviderType
public interface OvsdbClient extends AutoCloseable {

    enum State {
        CONNECTING, CONNECTED, CLOSED
    }

    String database();

    State state();

    /** The remote it is connected to now. */
    Optional<Remote> remote();

    /** Completes when a connection is up with its monitors in place (at once if it is). */
    CompletableFuture<OvsdbClient> connected();

    /** The database schema, as the server reported it on the last connection. */
    DatabaseSchema schema();

    CompletableFuture<List<String>> listDatabases();

    CompletableFuture<DatabaseSchema> getSchema(String database);

    /**
     * One transaction of the operations, checked against the schema before it is sent; the default deadline.
     * Cancelling the returned future sends {@code cancel} for it (a waiting transaction stops waiting).
     */
    CompletableFuture<TransactionResult> transact(Operation... operations);

    CompletableFuture<TransactionResult> transact(List<Operation> operations, Duration timeout);

    /** A round trip to the server. */
    CompletableFuture<Void> echo();

    /**
     * Adds tables to the cache (kept across reconnects); completes, with a handle that cancels the monitor
     * ({@code monitor_cancel}) and removes its tables, when their rows are in it. A table can be in one monitor
     * only.
     */
    CompletableFuture<AutoCloseable> monitor(TableMonitor... tables);

    Cache cache();

    /** Asks for a lock: true if this client holds it now; otherwise the listener hears "locked" later. */
    CompletableFuture<Boolean> lock(String lock);

    /** Takes a lock from whoever holds it. */
    CompletableFuture<Void> steal(String lock);

    CompletableFuture<Void> unlock(String lock);

    boolean holds(String lock);

    AutoCloseable listenLocks(LockListener listener);

    /** Hears every change of {@link #state()} (on the client's delivery thread); closing stops it. */
    AutoCloseable listenState(java.util.function.Consumer<State> listener);

    /** How many times a connection was (re)established; the first counts as one. */
    long connections();

    @Override
    void close();
}
