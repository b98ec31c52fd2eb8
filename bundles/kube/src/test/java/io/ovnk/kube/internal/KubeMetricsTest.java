package io.ovnk.kube.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.kube.Informers;
import io.ovnk.kube.Leadership;
import io.ovnk.kube.QueueStats;
import io.ovnk.metrics.Metric;
import io.ovnk.metrics.MetricFamily;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KubeMetricsTest {

    private final AtomicReference<List<QueueStats>> queues = new AtomicReference<>(List.of());
    private final Informers informers = (Informers) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Informers.class}, (proxy, method, args) -> {
                if (method.getName().equals("queues")) {
                    return queues.get();
                }
                throw new UnsupportedOperationException(method.getName());
            });

    @Test
    void queueDepthAndRetriesAreReadPerQueueAtEachScrape() {
        KubeMetrics metrics = new KubeMetrics();
        metrics.bindInformers(informers);
        queues.set(List.of(new QueueStats("io.ovnk.master.pods#12", "Pod", 4, 3, 1, 2, 10, 5, "boom"),
                new QueueStats("io.ovnk.cni.pods", "Pod", 4, 0, 0, 0, 7, 0, "")));
        // the label is the handler's name without the service id, stable across registrations
        assertEquals(3, sample(metrics, "ovnk_kube_queue_depth", "io.ovnk.master.pods"));
        assertEquals(1, sample(metrics, "ovnk_kube_queue_in_flight", "io.ovnk.master.pods"));
        assertEquals(2, sample(metrics, "ovnk_kube_queue_retrying", "io.ovnk.master.pods"));
        assertEquals(5, sample(metrics, "ovnk_kube_queue_retries_total", "io.ovnk.master.pods"));
        assertEquals(7, sample(metrics, "ovnk_kube_queue_handled_total", "io.ovnk.cni.pods"));

        queues.set(List.of(new QueueStats("io.ovnk.master.pods#40", "Pod", 4, 0, 0, 0, 12, 6, "")));
        assertEquals(6, sample(metrics, "ovnk_kube_queue_retries_total", "io.ovnk.master.pods"));
        assertEquals(1, family(metrics, "ovnk_kube_queue_depth").samples().size(), "the gone queue left no series");

        metrics.unbindInformers(informers);
        assertEquals(0, family(metrics, "ovnk_kube_queue_depth").samples().size());
    }

    @Test
    void leadershipIsAGaugeAndItsTransitionsAreCounted() {
        KubeMetrics metrics = new KubeMetrics();
        assertEquals(0, family(metrics, "ovnk_leader").samples().get(0).value());
        Leadership term = new Leadership() {
            @Override
            public String identity() {
                return "me";
            }

            @Override
            public String lease() {
                return "ovn-kubernetes/ovnkube-master";
            }

            @Override
            public Instant since() {
                return Instant.EPOCH;
            }
        };
        metrics.bindLeadership(term);
        assertEquals(1, family(metrics, "ovnk_leader").samples().get(0).value());
        metrics.unbindLeadership(term);
        assertEquals(0, family(metrics, "ovnk_leader").samples().get(0).value());
        metrics.bindLeadership(term);
        MetricFamily transitions = family(metrics, "ovnk_leader_transitions_total");
        assertEquals(List.of(2.0, 1.0), transitions.samples().stream().map(MetricFamily.Sample::value).toList());
        assertEquals(List.of("acquired", "lost"), transitions.samples().stream()
                .map(sample -> sample.labels().get(0).value()).toList());
    }

    private static MetricFamily family(KubeMetrics metrics, String name) {
        return metrics.metrics().stream().filter(metric -> metric.name().equals(name)).findFirst()
                .map(Metric::collect).orElseThrow();
    }

    private static double sample(KubeMetrics metrics, String name, String queue) {
        return family(metrics, name).samples().stream().filter(sample -> sample.labels().get(0).value().equals(queue))
                .findFirst().orElseThrow().value();
    }
}
