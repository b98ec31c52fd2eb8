package io.ovnk.master.internal;

import io.ovnk.metrics.Histogram;
import io.ovnk.metrics.Metric;
import io.ovnk.metrics.MetricSource;
import java.util.Collection;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * The master's metrics. One instance for the bundle, outliving the terms (a master component per term): what a
 * term observed stays counted after it ends.
 */
@Component(service = {MasterMetrics.class, MetricSource.class})
public final class MasterMetrics implements MetricSource {

    private final Histogram podAnnotation = Histogram.of("ovnk_master_pod_annotation_duration_seconds",
            "Master side of pod set-up: from the pod handler's first look at a scheduled pod without addresses (in "
                    + "this term) to its k8s.ovn.org/pod-networks annotation written, retries included",
            Histogram.LATENCY_SECONDS);

    void podAnnotated(long nanos) {
        podAnnotation.observeNanos(nanos);
    }

    Histogram podAnnotation() {
        return podAnnotation;
    }

    @Override
    public Collection<? extends Metric> metrics() {
        return List.of(podAnnotation);
    }
}
