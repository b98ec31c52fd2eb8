package io.ovnk.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A value that goes up and down. Either set by its owner ({@link #set}, {@link #add}), lock-free, or sampled at
 * scrape time ({@link #sampled}) from state the owner keeps anyway (queue depths, subnet use): a sampled gauge
 * never goes stale and never keeps a series for an object that is gone.
 */
public final class Gauge implements Metric {

    private final String name;
    private final String help;
    private final List<String> labelNames;
    /** Double bits per series; unused when sampled. */
    private final ConcurrentMap<List<String>, AtomicLong> series = new ConcurrentHashMap<>();
    private final Supplier<? extends Map<List<String>, ? extends Number>> sampler;

    private Gauge(String name, String help, List<String> labelNames,
            Supplier<? extends Map<List<String>, ? extends Number>> sampler) {
        this.name = name;
        this.help = help;
        this.labelNames = labelNames;
        this.sampler = sampler;
        if (sampler == null && labelNames.isEmpty()) {
            series.put(List.of(), new AtomicLong(Double.doubleToRawLongBits(0)));
        }
    }

    /** A gauge its owner sets. */
    public static Gauge of(String name, String help, String... labelNames) {
        Names.metric(name);
        return new Gauge(name, Names.help(name, help), Names.labels(name, labelNames, Set.of()), null);
    }

    /**
     * A gauge read at each scrape: {@code sampler} returns the value of every series, keyed by its label values (in
     * the order of {@code labelNames}). It runs on the exporter's thread and must not block.
     */
    public static Gauge sampled(String name, String help, Supplier<? extends Map<List<String>, ? extends Number>> sampler,
            String... labelNames) {
        Names.metric(name);
        Objects.requireNonNull(sampler, "sampler");
        return new Gauge(name, Names.help(name, help), Names.labels(name, labelNames, Set.of()), sampler);
    }

    public void set(double value, String... labelValues) {
        cell(labelValues).set(Double.doubleToRawLongBits(value));
    }

    public void add(double delta, String... labelValues) {
        AtomicLong cell = cell(labelValues);
        long bits;
        do {
            bits = cell.get();
        } while (!cell.compareAndSet(bits, Double.doubleToRawLongBits(Double.longBitsToDouble(bits) + delta)));
    }

    /** Forgets a series. */
    public void remove(String... labelValues) {
        series.remove(Names.values(name, labelNames, labelValues));
    }

    /** The value of one series now (sampled gauges sample); NaN when the series does not exist. */
    public double value(String... labelValues) {
        List<String> key = Names.values(name, labelNames, labelValues);
        if (sampler != null) {
            Number value = sampled().get(key);
            return value == null ? Double.NaN : value.doubleValue();
        }
        AtomicLong cell = series.get(key);
        return cell == null ? Double.NaN : Double.longBitsToDouble(cell.get());
    }

    private AtomicLong cell(String[] labelValues) {
        if (sampler != null) {
            throw new IllegalStateException("gauge " + name + " is sampled: its owner does not set it");
        }
        return series.computeIfAbsent(Names.values(name, labelNames, labelValues),
                key -> new AtomicLong(Double.doubleToRawLongBits(0)));
    }

    private Map<List<String>, Double> sampled() {
        return sample(name, labelNames, sampler);
    }

    /** What a sampler returns, with every key checked against the label names. */
    static Map<List<String>, Double> sample(String name, List<String> labelNames,
            Supplier<? extends Map<List<String>, ? extends Number>> sampler) {
        Map<List<String>, Double> values = new LinkedHashMap<>();
        Map<List<String>, ? extends Number> sample = sampler.get();
        if (sample == null) {
            return values;
        }
        for (Map.Entry<List<String>, ? extends Number> entry : sample.entrySet()) {
            List<String> key = Names.values(name, labelNames, entry.getKey().toArray(String[]::new));
            values.put(key, entry.getValue().doubleValue());
        }
        return values;
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
        if (sampler != null) {
            for (Map.Entry<List<String>, Double> entry : Counter.Series.sorted(sampled())) {
                samples.add(new MetricFamily.Sample(name, Names.pairs(labelNames, entry.getKey()), entry.getValue()));
            }
        } else {
            for (Map.Entry<List<String>, AtomicLong> entry : Counter.Series.sorted(series)) {
                samples.add(new MetricFamily.Sample(name, Names.pairs(labelNames, entry.getKey()),
                        Double.longBitsToDouble(entry.getValue().get())));
            }
        }
        return new MetricFamily(name, help, MetricFamily.Type.GAUGE, labelNames, samples);
    }
}
