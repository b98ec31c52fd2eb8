package io.ovnk.metrics;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** A named metric with labels; {@link #collect()} takes a consistent-enough snapshot of every series it holds. */
@ProviderType
public sealed interface Metric permits Counter, Gauge, Histogram {

    String name();

    String help();

    /** The label names every series of this metric has, in order. */
    List<String> labelNames();

    MetricFamily collect();
}
