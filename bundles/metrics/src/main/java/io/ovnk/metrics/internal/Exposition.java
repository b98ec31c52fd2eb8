package io.ovnk.metrics.internal;

import io.ovnk.metrics.Metric;
import io.ovnk.metrics.MetricFamily;
import io.ovnk.metrics.MetricSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects every source once and merges metrics of the same name (several OVSDB connections each keep
 * {@code ovnk_ovsdb_transaction_duration_seconds} for their database): one family per name, sorted by name. A
 * metric that disagrees with the first of its name on type or label names, and a source that throws, are left out
 * of the scrape and logged once, never failing the whole scrape.
 */
final class Exposition {

    private static final Logger LOG = LoggerFactory.getLogger(Exposition.class);

    /** What was already warned about, so that a broken source does not log on every scrape. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    List<MetricFamily> collect(Collection<MetricSource> sources) {
        TreeMap<String, MetricFamily> families = new TreeMap<>();
        for (MetricSource source : sources) {
            Collection<? extends Metric> metrics;
            try {
                metrics = source.metrics();
            } catch (RuntimeException e) {
                warnOnce("source " + source.getClass().getName(), "metrics source {} failed; its metrics are left out: {}",
                        source.getClass().getName(), e.toString());
                continue;
            }
            for (Metric metric : metrics) {
                MetricFamily family;
                try {
                    family = metric.collect();
                } catch (RuntimeException e) {
                    warnOnce("metric " + metric.name(), "metric {} failed to collect; left out: {}", metric.name(),
                            e.toString());
                    continue;
                }
                MetricFamily earlier = families.get(family.name());
                if (earlier == null) {
                    families.put(family.name(), family);
                } else if (earlier.type() != family.type() || !earlier.labelNames().equals(family.labelNames())) {
                    warnOnce("clash " + family.name(), "metric {} is kept twice as {} {} and {} {}; the second is left out",
                            family.name(), earlier.type().text(), earlier.labelNames(), family.type().text(),
                            family.labelNames());
                } else {
                    List<MetricFamily.Sample> samples = new ArrayList<>(earlier.samples());
                    samples.addAll(family.samples());
                    families.put(family.name(), new MetricFamily(earlier.name(), earlier.help(), earlier.type(),
                            earlier.labelNames(), samples));
                }
            }
        }
        return List.copyOf(families.values());
    }

    private void warnOnce(String key, String format, Object... arguments) {
        if (warned.add(key)) {
            LOG.warn(format, arguments);
        }
    }
}
