package io.ovnk.ovsdb.internal;

import io.ovnk.metrics.Counter;
import io.ovnk.metrics.Histogram;
import io.ovnk.metrics.Metric;
import io.ovnk.metrics.MetricSource;
import io.ovnk.ovsdb.OvsdbException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import org.osgi.service.component.annotations.Component;

/**
 * The OVSDB connections' metrics, per database: one instance for the bundle, shared by every connection component
 * (two connections to one database add up). Errors are labelled by the client's failure type in snake case
 * ({@code operation_failed}, {@code not_connected}, {@code deadline_exceeded}, ...), {@code cancelled} when the
 * caller gave up, {@code other} otherwise.
 */
@Component(service = {OvsdbMetrics.class, MetricSource.class})
public final class OvsdbMetrics implements MetricSource, ClientObserver {

    private final Histogram transactions = Histogram.of("ovnk_ovsdb_transaction_duration_seconds",
            "OVSDB transactions by database and result (ok, error), from the call (including a wait for a "
                    + "connection) to the checked reply",
            Histogram.LATENCY_SECONDS, "database", "result");
    private final Counter errors = Counter.of("ovnk_ovsdb_transaction_errors_total",
            "OVSDB transactions that failed, by database and error", "database", "error");
    private final Counter reconnects = Counter.of("ovnk_ovsdb_reconnects_total",
            "Connections to an OVSDB database set up again after one was lost or moved", "database");

    @Override
    public void transaction(String database, long nanos, Throwable failure) {
        transactions.observeNanos(nanos, database, failure == null ? "ok" : "error");
        if (failure != null) {
            errors.inc(database, error(failure));
        }
    }

    @Override
    public void reconnected(String database) {
        reconnects.inc(database);
    }

    static String error(Throwable failure) {
        OvsdbException ovsdb = OvsdbException.of(failure);
        if (ovsdb != null) {
            String type = ovsdb.getClass().getSimpleName().replaceFirst("Exception$", "");
            return type.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CancellationException) {
                return "cancelled";
            }
        }
        return "other";
    }

    Histogram transactions() {
        return transactions;
    }

    Counter errors() {
        return errors;
    }

    Counter reconnects() {
        return reconnects;
    }

    @Override
    public Collection<? extends Metric> metrics() {
        return List.of(transactions, errors, reconnects);
    }
}
