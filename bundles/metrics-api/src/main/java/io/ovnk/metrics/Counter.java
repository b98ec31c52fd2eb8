package io.ovnk.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A count that only goes up (events, errors, retries); its name ends in {@code _total}. Incrementing is a map look-up
 * and a {@link LongAdder} add: no lock. A metric without labels shows 0 from the start, so a scrape before the first
 * event already lists it.
 */
public final class Counter implements Metric {

    private final String name;
    private final String help;
    private final List<String> labelNames;
    private final ConcurrentMap<List<String>, LongAdder> series = new ConcurrentHashMap<>();
    private final Supplier<? extends Map<List<String>, ? extends Number>> sampler;

    private Counter(String name, String help, List<String> labelNames,
            Supplier<? extends Map<List<String>, ? extends Number>> sampler) {
        this.name = name;
        this.help = help;
        this.labelNames = labelNames;
        this.sampler = sampler;
        if (sampler == null && labelNames.isEmpty()) {
            series.put(List.of(), new LongAdder());
        }
    }

    /** @throws IllegalArgumentException naming what is wrong with the name, help or label names */
    public static Counter of(String name, String help, String... labelNames) {
        return new Counter(checked(name), Names.help(name, help), Names.labels(name, labelNames, Set.of()), null);
    }

    /**
     * A counter its owner counts already (a queue's totals, say), read at each scrape: {@code sampler} returns the
     * count of every series keyed by its label values. A series that restarts from 0 (its object was replaced) is a
     * counter reset, which Prometheus' rate() handles.
     */
    public static Counter sampled(String name, String help, Supplier<? extends Map<List<String>, ? extends Number>> sampler,
            String... labelNames) {
        Objects.requireNonNull(sampler, "sampler");
        return new Counter(checked(name), Names.help(name, help), Names.labels(name, labelNames, Set.of()), sampler);
    }

    private static String checked(String name) {
        Names.metric(name);
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter " + name + ": a counter's name ends in _total");
        }
        return name;
    }

    public void inc(String... labelValues) {
        add(1, labelValues);
    }

    public void add(long amount, String... labelValues) {
        if (sampler != null) {
            throw new IllegalStateException("counter " + name + " is sampled: its owner counts");
        }
        if (amount < 0) {
            throw new IllegalArgumentException("counter " + name + ": cannot go down (" + amount + ")");
        }
        series.computeIfAbsent(Names.values(name, labelNames, labelValues), key -> new LongAdder()).add(amount);
    }

    /** The count of one series; 0 when it has never been incremented. */
    public long value(String... labelValues) {
        if (sampler != null) {
            Number value = Gauge.sample(name, labelNames, sampler).get(Names.values(name, labelNames, labelValues));
            return value == null ? 0 : value.longValue();
        }
        LongAdder adder = series.get(Names.values(name, labelNames, labelValues));
        return adder == null ? 0 : adder.sum();
    }

    /** Forgets a series (its object is gone, e.g. a database connection that was removed). */
    public void remove(String... labelValues) {
        series.remove(Names.values(name, labelNames, labelValues));
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
        List<MetricFamily.Sample> samples = new ArrayList<>(series.size());
        if (sampler != null) {
            for (Map.Entry<List<String>, Double> entry : Series.sorted(Gauge.sample(name, labelNames, sampler))) {
                samples.add(new MetricFamily.Sample(name, Names.pairs(labelNames, entry.getKey()), entry.getValue()));
            }
            return new MetricFamily(name, help, MetricFamily.Type.COUNTER, labelNames, samples);
        }
        for (Map.Entry<List<String>, LongAdder> entry : Series.sorted(series)) {
            samples.add(new MetricFamily.Sample(name, Names.pairs(labelNames, entry.getKey()), entry.getValue().sum()));
        }
        return new MetricFamily(name, help, MetricFamily.Type.COUNTER, labelNames, samples);
    }

    /** Series in the order of their label values, so that scrapes list them the same way each time. */
    static final class Series {
        private static final Comparator<List<String>> ORDER = (a, b) -> {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                int c = a.get(i).compareTo(b.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(a.size(), b.size());
        };

        private Series() {
        }

        static <V> List<Map.Entry<List<String>, V>> sorted(Map<List<String>, V> series) {
            List<Map.Entry<List<String>, V>> entries = new ArrayList<>(series.entrySet());
            entries.sort(Map.Entry.comparingByKey(ORDER));
            return entries;
        }
    }
}
