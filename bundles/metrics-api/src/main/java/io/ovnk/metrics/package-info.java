/**
 * Metrics an ovnk bundle keeps about itself, and the whiteboard through which an exporter finds them.
 * <p>
 * A bundle creates its {@link io.ovnk.metrics.Counter}s, {@link io.ovnk.metrics.Gauge}s and
 * {@link io.ovnk.metrics.Histogram}s with {@code new}-like factories (plain objects, no service needed to update
 * them, lock-free on the hot path) and registers one {@link io.ovnk.metrics.MetricSource} service that lists them.
 * An exporter, when one runs, collects every registered source on each scrape; a bundle that stops unregisters its
 * sources with its services, so its metrics leave with it. Names follow Prometheus' conventions ({@code ovnk_}
 * namespace, the unit in the name: {@code _seconds}, {@code _total}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.ovnk.metrics;
