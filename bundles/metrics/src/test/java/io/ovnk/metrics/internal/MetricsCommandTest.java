package io.ovnk.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.metrics.Counter;
import io.ovnk.metrics.MetricSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsCommandTest {

    @Test
    void printsTheExpositionOfTheMetricsWithTheGivenPrefixes() {
        MetricsCommand command = new MetricsCommand();
        Counter cni = Counter.of("ovnk_cni_requests_refused_total", "refused");
        Counter ovsdb = Counter.of("ovnk_ovsdb_reconnects_total", "reconnects", "database");
        ovsdb.inc("OVN_Northbound");
        MetricSource source = () -> List.of(cni, ovsdb);
        command.bindSource(source);

        String all = command.metrics();
        assertTrue(all.contains("ovnk_cni_requests_refused_total 0\n") && all.contains(
                "ovnk_ovsdb_reconnects_total{database=\"OVN_Northbound\"} 1\n"), all);
        String ovsdbOnly = command.metrics("ovsdb");
        assertTrue(ovsdbOnly.contains("ovnk_ovsdb_reconnects_total"), ovsdbOnly);
        assertFalse(ovsdbOnly.contains("ovnk_cni"), ovsdbOnly);
        assertEquals("no metric starts with ovnk_ipam\n", command.metrics("ipam"));

        command.unbindSource(source);
        assertEquals("no metric is kept in this process\n", command.metrics());
    }
}
