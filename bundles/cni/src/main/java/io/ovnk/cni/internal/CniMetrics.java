package io.ovnk.cni.internal;

import io.ovnk.metrics.Counter;
import io.ovnk.metrics.Histogram;
import io.ovnk.metrics.Metric;
import io.ovnk.metrics.MetricSource;
import java.util.Collection;
import java.util.List;

/**
 * What the CNI server counts: the latency of every request by command and result (ADD includes the wait for the
 * pod's annotation), and requests refused before they had a command (unparseable). Results: {@code ok},
 * {@code retry} (CNI code 11, try again later: no mode, an earlier request still running, stopping) and
 * {@code error}.
 */
final class CniMetrics implements MetricSource {

    private final Histogram requests = Histogram.of("ovnk_cni_request_duration_seconds",
            "CNI requests served, by command and result (ok, retry, error), from the parsed request to the answer",
            Histogram.LATENCY_SECONDS, "command", "result");
    private final Histogram podSetup = Histogram.of("ovnk_node_pod_setup_duration_seconds",
            "Node side of pod set-up, by mode: from the moment a CNI ADD has the pod's k8s.ovn.org/pod-networks "
                    + "annotation (at once if it was there, else when it arrives) to the mode's plumbing done, port "
                    + "up (overlay: ovn-controller has installed it); successful ADDs only",
            Histogram.LATENCY_SECONDS, "mode");
    private final Counter refused = Counter.of("ovnk_cni_requests_refused_total",
            "CNI requests refused as unreadable (bad JSON, environment or network configuration)");

    void served(CniCommand command, long nanos, CniException failure) {
        requests.observeNanos(nanos, command.name(), failure == null ? "ok"
                : failure.code() == CniException.TRY_AGAIN_LATER ? "retry" : "error");
    }

    void podSetUp(String mode, long nanos) {
        podSetup.observeNanos(nanos, mode);
    }

    Histogram podSetup() {
        return podSetup;
    }

    void refused() {
        refused.inc();
    }

    Histogram requests() {
        return requests;
    }

    long refusedCount() {
        return refused.value();
    }

    @Override
    public Collection<? extends Metric> metrics() {
        return List.of(requests, podSetup, refused);
    }
}
