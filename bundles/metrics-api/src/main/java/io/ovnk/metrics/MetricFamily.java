package io.ovnk.metrics;

import java.util.List;

/**
 * One metric's samples at one moment, as the exposition format lists them: for a histogram the
 * {@code _bucket} (cumulative, with {@code le}), {@code _sum} and {@code _count} samples of every series.
 */
public record MetricFamily(String name, String help, Type type, List<String> labelNames, List<Sample> samples) {

    public enum Type {
        COUNTER, GAUGE, HISTOGRAM;

        /** As the {@code # TYPE} line spells it. */
        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public MetricFamily {
        labelNames = List.copyOf(labelNames);
        samples = List.copyOf(samples);
    }

    /**
     * One line of the exposition.
     *
     * @param name the metric's name, with {@code _bucket}, {@code _sum} or {@code _count} for histograms
     * @param labels label names and values, in the metric's order ({@code le} last for buckets)
     */
    public record Sample(String name, List<Label> labels, double value) {
        public Sample {
            labels = List.copyOf(labels);
        }
    }

    public record Label(String name, String value) {
    }
}
