package io.ovnk.metrics;

import java.util.Collection;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A whiteboard service: what a bundle registers so that its metrics are exported. The exporter calls
 * {@link #metrics()} on every scrape, from its own thread; the metrics read there must be safe to read while the
 * bundle updates them (the types of this package are). Several sources may hold a metric of the same name (one per
 * OVSDB connection, say) as long as type and label names agree: the exporter merges their series.
 */
@ConsumerType
public interface MetricSource {

    /** The metrics as they are now; called once per scrape. */
    Collection<? extends Metric> metrics();
}
