package io.ovnk.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void histogramBucketsAreCumulativeInclusiveAndEndInInfEqualToCount() {
        Histogram histogram = Histogram.of("ovnk_test_seconds", "test", List.of(0.1, 1.0), "op");
        histogram.observe(0.05, "add");
        histogram.observe(0.1, "add"); // on the bound: le is inclusive
        histogram.observe(0.5, "add");
        histogram.observe(7, "add");
        List<MetricFamily.Sample> samples = histogram.collect().samples();
        assertEquals(List.of("ovnk_test_seconds_bucket", "ovnk_test_seconds_bucket", "ovnk_test_seconds_bucket",
                "ovnk_test_seconds_sum", "ovnk_test_seconds_count"), samples.stream().map(MetricFamily.Sample::name).toList());
        assertEquals(List.of(new MetricFamily.Label("op", "add"), new MetricFamily.Label("le", "0.1")),
                samples.get(0).labels());
        assertEquals(2, samples.get(0).value());
        assertEquals(3, samples.get(1).value());
        assertEquals("+Inf", samples.get(2).labels().get(1).value());
        assertEquals(4, samples.get(2).value());
        assertEquals(7.65, samples.get(3).value(), 1e-9);
        assertEquals(4, samples.get(4).value());
        assertEquals(4, histogram.count("add"));
    }

    @Test
    void observeNanosRecordsSeconds() {
        Histogram histogram = Histogram.of("ovnk_test_seconds", "test", Histogram.LATENCY_SECONDS);
        histogram.observeNanos(TimeUnit.MILLISECONDS.toNanos(3));
        assertEquals(0.003, histogram.sum(), 1e-12);
        // 3 ms lies in the 5 ms bucket, not in the 2.5 ms one
        MetricFamily family = histogram.collect();
        assertEquals(0, family.samples().get(Histogram.LATENCY_SECONDS.indexOf(0.0025)).value());
        assertEquals(1, family.samples().get(Histogram.LATENCY_SECONDS.indexOf(0.005)).value());
    }

    @Test
    void labelValuesMustMatchTheLabelNames() {
        Counter counter = Counter.of("ovnk_test_total", "test", "database", "result");
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> counter.inc("nb"));
        assertTrue(wrong.getMessage().contains("ovnk_test_total") && wrong.getMessage().contains("[database, result]"),
                wrong.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> counter.inc("nb", null));
        assertTrue(none.getMessage().contains("label result"), none.getMessage());
        assertEquals(0, counter.value("nb", "ok"));
    }

    @Test
    void badNamesAreRefusedNamingWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Counter.of("ovnk-x_total", "h")).getMessage()
                .contains("\"ovnk-x_total\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Counter.of("ovnk_x", "h")).getMessage()
                .contains("_total"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Gauge.of("ovnk_x", "h", "__a")).getMessage()
                .contains("\"__a\""));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Histogram.of("ovnk_x_seconds", "h", List.of(1.0), "le")).getMessage().contains("reserved"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Histogram.of("ovnk_x_seconds", "h", List.of(1.0, 0.5))).getMessage().contains("increasing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Counter.of("ovnk_x_total", "h").add(-1))
                .getMessage().contains("cannot go down"));
    }

    @Test
    void unlabelledMetricsShowZeroBeforeTheFirstEvent() {
        assertEquals(List.of(0.0), Counter.of("ovnk_a_total", "a").collect().samples().stream()
                .map(MetricFamily.Sample::value).toList());
        assertEquals(List.of(0.0), Gauge.of("ovnk_a", "a").collect().samples().stream()
                .map(MetricFamily.Sample::value).toList());
        assertEquals(0, Counter.of("ovnk_b_total", "b", "x").collect().samples().size());
    }

    @Test
    void sampledGaugeReadsItsOwnerAtEachCollect() {
        AtomicReference<Map<List<String>, Integer>> depth = new AtomicReference<>(Map.of(List.of("pods"), 3));
        Gauge gauge = Gauge.sampled("ovnk_depth", "d", depth::get, "resource");
        assertEquals(3, gauge.collect().samples().get(0).value());
        depth.set(Map.of(List.of("nodes"), 1));
        MetricFamily family = gauge.collect();
        assertEquals(1, family.samples().size());
        assertEquals("nodes", family.samples().get(0).labels().get(0).value());
        assertThrows(IllegalStateException.class, () -> gauge.set(1, "pods"));
    }

    @Test
    void sampledCounterReadsItsOwnersCount() {
        AtomicReference<Map<List<String>, Long>> handled = new AtomicReference<>(Map.of(List.of("pods"), 4L));
        Counter counter = Counter.sampled("ovnk_handled_total", "h", handled::get, "queue");
        assertEquals(4, counter.value("pods"));
        handled.set(Map.of(List.of("pods"), 9L));
        MetricFamily family = counter.collect();
        assertEquals(MetricFamily.Type.COUNTER, family.type());
        assertEquals(9, family.samples().get(0).value());
        assertThrows(IllegalStateException.class, () -> counter.inc("pods"));
        handled.set(Map.of(List.of("pods", "extra"), 1L));
        assertTrue(assertThrows(IllegalArgumentException.class, counter::collect).getMessage()
                .contains("ovnk_handled_total"));
    }

    @Test
    void gaugeAddAndSet() {
        Gauge gauge = Gauge.of("ovnk_g", "g", "k");
        gauge.add(2.5, "a");
        gauge.add(-1, "a");
        assertEquals(1.5, gauge.value("a"));
        gauge.set(7, "a");
        assertEquals(7, gauge.value("a"));
        assertTrue(Double.isNaN(gauge.value("b")));
    }

    @Test
    void concurrentIncrementsAreAllCounted() throws Exception {
        Counter counter = Counter.of("ovnk_c_total", "c", "k");
        Histogram histogram = Histogram.of("ovnk_h_seconds", "h", List.of(1.0), "k");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int t = 0; t < 4; t++) {
                pool.execute(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        counter.inc("x");
                        histogram.observe(i % 2, "x");
                    }
                });
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
        assertEquals(40_000, counter.value("x"));
        assertEquals(40_000, histogram.count("x"));
        assertEquals(20_000, histogram.sum("x"));
    }
}
