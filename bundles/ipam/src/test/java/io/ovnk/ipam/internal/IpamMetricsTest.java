package io.ovnk.ipam.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.metrics.Metric;
import io.ovnk.metrics.MetricFamily;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpamMetricsTest {

    @Test
    void utilisationFollowsAllocationsPerNodeSubnet() {
        IpamAllocator allocator = IpamAllocatorTest.allocator("10.128.0.0/14/23");
        IpamMetrics metrics = new IpamMetrics();
        assertEquals(0, family(metrics, "ovnk_ipam_subnet_allocated_addresses").samples().size(), "no allocator");
        metrics.bindIpam(allocator);
        String subnet = allocator.allocateNodeSubnets("node1").subnets().get(0).toString();
        assertEquals(List.of(0.0), values(metrics, "ovnk_ipam_subnet_allocated_addresses"));
        allocator.allocatePodAddresses("node1");
        allocator.allocatePodAddresses("node1");
        MetricFamily allocated = family(metrics, "ovnk_ipam_subnet_allocated_addresses");
        assertEquals(List.of(new MetricFamily.Label("node", "node1"), new MetricFamily.Label("subnet", subnet)),
                allocated.samples().get(0).labels());
        assertEquals(2, allocated.samples().get(0).value());
        // a /23 has 512 addresses; network, .1 (gateway), .2 (management) and broadcast are reserved
        double allocatable = values(metrics, "ovnk_ipam_subnet_allocatable_addresses").get(0);
        assertEquals(508, allocatable);
        assertEquals(2 / allocatable, values(metrics, "ovnk_ipam_subnet_utilisation_ratio").get(0), 1e-12);

        allocator.releaseNodeSubnets("node1");
        assertEquals(List.of(), values(metrics, "ovnk_ipam_subnet_allocated_addresses"));
    }

    private static MetricFamily family(IpamMetrics metrics, String name) {
        return metrics.metrics().stream().filter(metric -> metric.name().equals(name)).findFirst()
                .map(Metric::collect).orElseThrow();
    }

    private static List<Double> values(IpamMetrics metrics, String name) {
        return family(metrics, name).samples().stream().map(MetricFamily.Sample::value).toList();
    }
}
