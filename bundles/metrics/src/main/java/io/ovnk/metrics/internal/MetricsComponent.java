package io.ovnk.metrics.internal;

import io.ovnk.metrics.MetricFamily;
import io.ovnk.metrics.MetricSource;
import io.ovnk.shell.Health;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves metrics and health over HTTP while {@code io.ovnk.metrics} says {@code enabled = true}. Metrics come from
 * every {@link MetricSource} service (the whiteboard: a bundle's sources leave with it), readiness from the
 * {@link Health} service. Every setting applies live: a changed address or port rebinds; a bad value is refused
 * with an error naming the key and the endpoint keeps serving as before.
 */
@Component(immediate = true, configurationPid = MetricsComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = MetricsComponent.Config.class)
public final class MetricsComponent {

    static final String PID = "io.ovnk.metrics";

    @ObjectClassDefinition(name = "ovnk metrics and health over HTTP", description = "Prometheus metrics (/metrics), "
            + "liveness (/healthz) and readiness (/readyz: 503 naming each component that does not run and why)")
    public @interface Config {
        @AttributeDefinition(description = "Serve the endpoints (off unless configured)")
        boolean enabled() default false;

        @AttributeDefinition(description = "The address to listen on (0.0.0.0 for every interface; the metrics and "
                + "the readiness report are not secret but say much about the cluster)")
        String bind_address() default "127.0.0.1";

        @AttributeDefinition(description = "The TCP port (ovn-kubernetes' ovnkube-master serves its metrics on 9409; "
                + "0 picks a free port and logs it)", min = "0", max = "65535")
        int port() default 9409;
    }

    private static final Logger LOG = LoggerFactory.getLogger(MetricsComponent.class);

    private final Exposition exposition = new Exposition();

    private final List<MetricSource> sources = new CopyOnWriteArrayList<>();
    private final AtomicReference<Health> health = new AtomicReference<>();

    /** Guarded by this. */
    private Settings settings;
    /** Guarded by this; null while not serving. */
    private HttpEndpoint endpoint;

    @Activate
    public MetricsComponent(Config config) {
        apply(config);
    }

    @Modified
    void modified(Config config) {
        apply(config);
    }

    private synchronized void apply(Config config) {
        Settings next;
        try {
            next = Settings.of(config.enabled(), config.bind_address(), config.port());
        } catch (IllegalArgumentException e) {
            LOG.error("metrics: {}; {}", e.getMessage(), endpoint == null ? "not serving"
                    : "still serving " + Settings.url(endpoint.address(), "/metrics"));
            return;
        }
        if (next.equals(settings) && (endpoint != null || !next.enabled())) {
            return;
        }
        stop();
        settings = next;
        if (!next.enabled()) {
            LOG.info("metrics: off ({} enabled = false)", PID);
            return;
        }
        try {
            endpoint = HttpEndpoint.start(next.address(), new HttpEndpoint.Content() {
                @Override
                public List<MetricFamily> metrics() {
                    return exposition.collect(sources);
                }

                @Override
                public Readiness.Answer readiness() {
                    Health now = health.get();
                    return Readiness.of(now == null ? null : now.check());
                }
            });
            InetSocketAddress bound = endpoint.address();
            LOG.info("metrics: serving {} (and /healthz, /readyz)", Settings.url(bound, "/metrics"));
        } catch (IOException e) {
            LOG.error("metrics: {}; not serving until {} is applied again with another port or address", e.getMessage(),
                    PID);
        }
    }

    private void stop() {
        if (endpoint != null) {
            String url = Settings.url(endpoint.address(), "/metrics");
            endpoint.close();
            endpoint = null;
            LOG.info("metrics: stopped serving {}", url);
        }
    }

    /** Where /metrics is served now; empty when not serving (tests, and the log line above for people). */
    synchronized java.util.Optional<InetSocketAddress> address() {
        return java.util.Optional.ofNullable(endpoint).map(HttpEndpoint::address);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSource(MetricSource source) {
        sources.add(source);
    }

    void unbindSource(MetricSource source) {
        sources.remove(source);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindHealth(Health next) {
        health.set(next);
    }

    void unbindHealth(Health gone) {
        health.compareAndSet(gone, null);
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
    }
}
