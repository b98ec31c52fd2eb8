package io.ovnk.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A distribution over fixed buckets (upper bounds, inclusive, as Prometheus' {@code le}); an observation is a binary
 * search and two atomic adds, no lock. The exposition lists the buckets cumulatively, then {@code +Inf},
 * {@code _sum} and {@code _count}; {@code _count} always equals the {@code +Inf} bucket.
 */
public final class Histogram implements Metric {

    /**
     * Latency buckets in seconds, from 1 ms (an OVSDB transaction on a local server) to 2 min (a CNI ADD that waited
     * the default time for its annotation).
     */
    public static final List<Double> LATENCY_SECONDS = List.of(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
            0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0);

    private final String name;
    private final String help;
    private final List<String> labelNames;
    private final double[] bounds;
    private final ConcurrentMap<List<String>, Cells> series = new ConcurrentHashMap<>();

    private Histogram(String name, String help, List<String> labelNames, double[] bounds) {
        this.name = name;
        this.help = help;
        this.labelNames = labelNames;
        this.bounds = bounds;
        if (labelNames.isEmpty()) {
            series.put(List.of(), new Cells(bounds.length));
        }
    }

    /**
     * @param buckets upper bounds, strictly increasing and finite ({@code +Inf} is always added)
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Histogram of(String name, String help, List<Double> buckets, String... labelNames) {
        Names.metric(name);
        if (buckets == null || buckets.isEmpty()) {
            throw new IllegalArgumentException("histogram " + name + ": needs at least one bucket");
        }
        double[] bounds = new double[buckets.size()];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = buckets.get(i);
            if (!Double.isFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
                throw new IllegalArgumentException("histogram " + name + ": buckets must be finite and strictly "
                        + "increasing: " + buckets);
            }
        }
        return new Histogram(name, Names.help(name, help), Names.labels(name, labelNames, Set.of("le")), bounds);
    }

    public void observe(double value, String... labelValues) {
        Cells cells = series.computeIfAbsent(Names.values(name, labelNames, labelValues), key -> new Cells(bounds.length));
        int index = Arrays.binarySearch(bounds, value);
        cells.buckets.incrementAndGet(index >= 0 ? index : -index - 1);
        cells.sum.add(value);
    }

    /** Observes a duration given in nanoseconds (from {@link System#nanoTime()}), in seconds. */
    public void observeNanos(long nanos, String... labelValues) {
        observe(nanos / (double) TimeUnit.SECONDS.toNanos(1), labelValues);
    }

    /** The number of observations of one series. */
    public long count(String... labelValues) {
        Cells cells = series.get(Names.values(name, labelNames, labelValues));
        if (cells == null) {
            return 0;
        }
        long count = 0;
        for (int i = 0; i < cells.buckets.length(); i++) {
            count += cells.buckets.get(i);
        }
        return count;
    }

    /** The sum of the observations of one series. */
    public double sum(String... labelValues) {
        Cells cells = series.get(Names.values(name, labelNames, labelValues));
        return cells == null ? 0 : cells.sum.sum();
    }

    public List<Double> buckets() {
        return Arrays.stream(bounds).boxed().toList();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public List<String> labelNames() {
        return labelNames;
    }

    @Override
    public MetricFamily collect() {
        List<MetricFamily.Sample> samples = new ArrayList<>();
        for (Map.Entry<List<String>, Cells> entry : Counter.Series.sorted(series)) {
            List<MetricFamily.Label> labels = Names.pairs(labelNames, entry.getKey());
            Cells cells = entry.getValue();
            long cumulative = 0;
            for (int i = 0; i <= bounds.length; i++) {
                cumulative += cells.buckets.get(i);
                List<MetricFamily.Label> withBound = new ArrayList<>(labels);
                withBound.add(new MetricFamily.Label("le", i < bounds.length ? bound(bounds[i]) : "+Inf"));
                samples.add(new MetricFamily.Sample(name + "_bucket", withBound, cumulative));
            }
            samples.add(new MetricFamily.Sample(name + "_sum", labels, cells.sum.sum()));
            samples.add(new MetricFamily.Sample(name + "_count", labels, cumulative));
        }
        return new MetricFamily(name, help, MetricFamily.Type.HISTOGRAM, labelNames, samples);
    }

    /** {@code le} as Prometheus clients write it: {@code 0.005}, {@code 1.0}. */
    private static String bound(double bound) {
        return Double.toString(bound);
    }

    /** One series: a count per bucket (the last one is +Inf) and the sum. */
    private static final class Cells {
        final AtomicLongArray buckets;
        final DoubleAdder sum = new DoubleAdder();

        Cells(int bounds) {
            buckets = new AtomicLongArray(bounds + 1);
        }
    }
}
