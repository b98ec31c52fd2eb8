package io.ovnk.ipam.internal;

import io.ovnk.ipam.Ipam;
import io.ovnk.ipam.SubnetUsage;
import io.ovnk.metrics.Gauge;
import io.ovnk.metrics.Metric;
import io.ovnk.metrics.MetricSource;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * How full every node subnet is, read from {@link Ipam#usage()} at each scrape: series exist where the allocator
 * runs (the master) and for the node subnets it holds now; a node that is removed takes its series with it.
 */
@Component(service = MetricSource.class, immediate = true)
public final class IpamMetrics implements MetricSource {

    private final AtomicReference<Ipam> ipam = new AtomicReference<>();

    private final Gauge allocated = perSubnet("ovnk_ipam_subnet_allocated_addresses",
            "Pod addresses allocated in a node subnet (reserved addresses such as the gateway are not counted)",
            usage -> usage.allocated());
    private final Gauge allocatable = perSubnet("ovnk_ipam_subnet_allocatable_addresses",
            "Addresses a node subnet can give pods: its size less the reserved ones (IPv6: at most 65,536)",
            usage -> usage.allocatable());
    private final Gauge utilisation = perSubnet("ovnk_ipam_subnet_utilisation_ratio",
            "allocated / allocatable of a node subnet, 0 to 1",
            usage -> usage.allocatable() == 0 ? 1.0 : usage.allocated() / (double) usage.allocatable());

    private Gauge perSubnet(String name, String help, Function<SubnetUsage, Number> value) {
        return Gauge.sampled(name, help, () -> {
            Ipam now = ipam.get();
            Map<List<String>, Number> values = new LinkedHashMap<>();
            if (now != null) {
                for (SubnetUsage usage : now.usage()) {
                    values.put(List.of(usage.node(), usage.subnet().toString()), value.apply(usage));
                }
            }
            return values;
        }, "node", "subnet");
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindIpam(Ipam next) {
        ipam.set(next);
    }

    void unbindIpam(Ipam gone) {
        ipam.compareAndSet(gone, null);
    }

    @Override
    public Collection<? extends Metric> metrics() {
        return List.of(allocated, allocatable, utilisation);
    }
}
