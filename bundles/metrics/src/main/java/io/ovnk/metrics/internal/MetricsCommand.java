package io.ovnk.metrics.internal;

import io.ovnk.metrics.MetricFamily;
import io.ovnk.metrics.MetricSource;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo {@code ovnk:metrics [prefix...]}: the exposition /metrics would serve, whether the HTTP endpoint is enabled
 * or not, limited to the metrics whose names start with one of the prefixes ({@code ovnk_} may be left out:
 * {@code ovnk:metrics cni ipam}).
 */
@Component(service = Object.class, property = { "osgi.command.scope=ovnk", "osgi.command.function=metrics" })
public final class MetricsCommand {

    private final Exposition exposition = new Exposition();
    private final List<MetricSource> sources = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindSource(MetricSource source) {
        sources.add(source);
    }

    void unbindSource(MetricSource source) {
        sources.remove(source);
    }

    public String metrics(String... prefixes) {
        List<String> wanted = Arrays.stream(prefixes).map(prefix -> prefix.startsWith("ovnk_") ? prefix : "ovnk_" + prefix)
                .toList();
        List<MetricFamily> families = exposition.collect(sources).stream()
                .filter(family -> wanted.isEmpty() || wanted.stream().anyMatch(family.name()::startsWith)).toList();
        if (families.isEmpty()) {
            return "no metric " + (wanted.isEmpty() ? "is kept in this process" : "starts with " + String.join(" or ",
                    wanted)) + "\n";
        }
        return TextFormat.write(families);
    }
}
