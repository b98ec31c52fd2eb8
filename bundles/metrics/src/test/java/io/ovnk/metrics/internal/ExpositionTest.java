package io.ovnk.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.metrics.Counter;
import io.ovnk.metrics.Gauge;
import io.ovnk.metrics.MetricFamily;
import io.ovnk.metrics.MetricSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpositionTest {

    @Test
    void sameNameFromTwoSourcesIsOneFamilyWithBothSeries() {
        Counter nb = Counter.of("ovnk_ovsdb_reconnects_total", "reconnects", "database");
        Counter sb = Counter.of("ovnk_ovsdb_reconnects_total", "reconnects", "database");
        nb.inc("OVN_Northbound");
        sb.add(2, "Open_vSwitch");
        List<MetricFamily> families = new Exposition().collect(List.of(() -> List.of(nb), () -> List.of(sb)));
        assertEquals(1, families.size());
        assertEquals(List.of(1.0, 2.0), families.get(0).samples().stream().map(MetricFamily.Sample::value).toList());
    }

    @Test
    void clashingAndFailingMetricsAreLeftOutTheRestIsServed() {
        Counter good = Counter.of("ovnk_b_total", "b");
        good.inc();
        Gauge clash = Gauge.of("ovnk_b_total", "not a counter");
        MetricSource broken = () -> {
            throw new IllegalStateException("broken");
        };
        Gauge failing = Gauge.sampled("ovnk_a", "fails", () -> {
            throw new IllegalStateException("sampler broken");
        });
        List<MetricFamily> families = new Exposition().collect(List.of(broken, () -> List.of(good, clash, failing)));
        assertEquals(1, families.size());
        assertEquals(MetricFamily.Type.COUNTER, families.get(0).type());
        assertEquals(1.0, families.get(0).samples().get(0).value());
    }

    @Test
    void familiesAreSortedByName() {
        List<MetricFamily> families = new Exposition().collect(List.of(
                () -> List.of(Gauge.of("ovnk_z", "z"), Gauge.of("ovnk_a", "a"))));
        assertEquals(List.of("ovnk_a", "ovnk_z"), families.stream().map(MetricFamily::name).toList());
    }
}
