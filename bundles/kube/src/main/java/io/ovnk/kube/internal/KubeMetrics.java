package io.ovnk.kube.internal;

import io.ovnk.kube.Informers;
import io.ovnk.kube.Leadership;
import io.ovnk.kube.QueueStats;
import io.ovnk.metrics.Counter;
import io.ovnk.metrics.Gauge;
import io.ovnk.metrics.Metric;
import io.ovnk.metrics.MetricSource;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The Kubernetes side's metrics: every handler work queue (sampled from {@link Informers#queues()} at scrape
 * time, so a queue that goes leaves no series behind) and leadership (this process holds the Lease while a
 * {@link Leadership} service is registered; every acquisition and loss is counted). Watches services only: the
 * queues and the election know nothing of metrics.
 */
@Component(service = MetricSource.class, immediate = true)
public final class KubeMetrics implements MetricSource {

    private final AtomicReference<Informers> informers = new AtomicReference<>();
    private final Set<Leadership> leading = ConcurrentHashMap.newKeySet();

    private final Gauge depth = queueGauge("ovnk_kube_queue_depth",
            "Objects waiting in a handler's work queue for a worker", QueueStats::depth);
    private final Gauge inFlight = queueGauge("ovnk_kube_queue_in_flight",
            "Objects a handler's workers are handling now", QueueStats::inFlight);
    private final Gauge retrying = queueGauge("ovnk_kube_queue_retrying",
            "Objects waiting out a backoff before their handler is retried", QueueStats::retrying);
    private final Counter handled = Counter.sampled("ovnk_kube_queue_handled_total",
            "Handler calls a work queue made (successful or not), since the queue started",
            () -> perQueue(QueueStats::handled), "queue", "resource");
    private final Counter retries = Counter.sampled("ovnk_kube_queue_retries_total",
            "Handler calls that failed and were scheduled again after a backoff, since the queue started",
            () -> perQueue(QueueStats::failures), "queue", "resource");
    private final Gauge leader = Gauge.sampled("ovnk_leader",
            "1 while this process holds the leader Lease (its master controllers run), else 0",
            () -> Map.of(List.of(), leading.isEmpty() ? 0 : 1));
    private final Counter transitions = Counter.of("ovnk_leader_transitions_total",
            "Times this process became leader (acquired) or stopped leading (lost)", "transition");

    private Gauge queueGauge(String name, String help, ToLongFunction<QueueStats> value) {
        return Gauge.sampled(name, help, () -> perQueue(value), "queue", "resource");
    }

    private Map<List<String>, Long> perQueue(ToLongFunction<QueueStats> value) {
        Informers now = informers.get();
        Map<List<String>, Long> values = new LinkedHashMap<>();
        if (now != null) {
            for (QueueStats queue : now.queues()) {
                // the hub names a queue after its handler and the handler's service id ("ovnk-master-pods#363"):
                // the id changes with every registration (every master term), so the label keeps the name only
                // and handlers of one name add up
                String name = queue.handler().replaceFirst("#\\d+$", "");
                values.merge(List.of(name, queue.kind()), value.applyAsLong(queue), Long::sum);
            }
        }
        return values;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindInformers(Informers next) {
        informers.set(next);
    }

    void unbindInformers(Informers gone) {
        informers.compareAndSet(gone, null);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindLeadership(Leadership leadership) {
        if (leading.add(leadership)) {
            transitions.inc("acquired");
        }
    }

    void unbindLeadership(Leadership leadership) {
        if (leading.remove(leadership)) {
            transitions.inc("lost");
        }
    }

    @Override
    public Collection<? extends Metric> metrics() {
        return List.of(depth, inFlight, retrying, handled, retries, leader, transitions);
    }
}
