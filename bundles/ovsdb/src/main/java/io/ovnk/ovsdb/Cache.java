package io.ovnk.ovsdb;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The client's replica of the monitored tables. Each server update is applied whole; {@link #read} sees no
 * update half-applied. Waiting is event-driven: {@link #await} completes on the update that makes its condition
 * true, and fails at its deadline.
 */
@ProviderType
public interface Cache {

    Set<String> tables();

    /** The table, or an exception naming it if it is not monitored. */
    CachedTable table(String name);

    /** The typed views of a table's rows (each wraps a cached row; nothing is copied). */
    <T> java.util.List<T> rows(TableModel<T> model);

    /** The typed view of one row. */
    <T> Optional<T> get(TableModel<T> model, java.util.UUID uuid);

    /** Runs {@code reader} while no update is applied, for reads across rows and tables that must agree. */
    <T> T read(Function<Cache, T> reader);

    /** Registers a listener for changes of the given tables (none: all); closing the registration removes it. */
    AutoCloseable listen(ChangeListener listener, String... tables);

    /**
     * Completes with a row of {@code table} that satisfies {@code condition}, now or when an update brings one;
     * fails with {@link DeadlineExceededException} at the deadline. For example, a port installed by
     * ovn-controller: {@code await("Interface", r -> "true".equals(r.map("external_ids").get("ovn-installed")), ...)}.
     */
    CompletableFuture<Row> await(String table, Predicate<Row> condition, Duration timeout);

    /** Completes when no row of {@code table} satisfies {@code condition}, now or after an update. */
    CompletableFuture<Void> awaitNone(String table, Predicate<Row> condition, Duration timeout);

    /** The id of the last transaction the cache reflects, where the server reports one (monitor_cond_since). */
    Optional<String> lastTransactionId();
}
