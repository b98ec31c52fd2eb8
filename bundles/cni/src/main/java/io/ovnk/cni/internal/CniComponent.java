package io.ovnk.cni.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.kube.Informers;
import io.ovnk.kube.ResourceHandler;
import io.ovnk.metrics.MetricSource;
import io.ovnk.network.spi.PodPlumber;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
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
 * The node's CNI server: the unix socket kubelet's shim talks to, the pod watch that ADD waits on, and the files
 * kubelet needs (the shim and the network configuration list). Mode-neutral: ADD, DEL, CHECK, STATUS and GC go to
 * whichever {@link PodPlumber} service is present; a mode bundle may come and go while the server runs.
 * Every setting applies live; a changed socket path moves the server to the new socket.
 */
@Component(immediate = true, configurationPid = CniComponent.PID,
        configurationPolicy = org.osgi.service.component.annotations.ConfigurationPolicy.REQUIRE)
@Designate(ocd = CniComponent.Config.class)
public final class CniComponent {

    static final String PID = "io.ovnk.cni";
    static final String DEFAULT_SOCKET = "/var/run/ovn-kubernetes/cni/ovn-cni-server.sock";

    @ObjectClassDefinition(name = "ovnk CNI server", description = "The CNI server on a unix socket and the shim "
            + "ovn-k8s-cni-overlay that kubelet runs")
    public @interface Config {
        @AttributeDefinition(description = "The server's unix socket (the shim's default unless the installed "
                + "network configuration names another)")
        String socket_path() default DEFAULT_SOCKET;

        @AttributeDefinition(description = "How long an ADD waits for the pod and its k8s.ovn.org/pod-networks "
                + "annotation (ms)", min = "1")
        long annotation_timeout_ms() default 120_000;

        @AttributeDefinition(description = "The deadline the network mode gets to plumb a pod's interface (ms)",
                min = "1")
        long plumb_timeout_ms() default 60_000;

        @AttributeDefinition(description = "MTU of the pod interfaces", min = "576", max = "65535")
        int mtu() default 1400;

        @AttributeDefinition(description = "Where kubelet reads CNI network configurations")
        String conf_dir() default "/etc/cni/net.d";

        @AttributeDefinition(description = "Where kubelet finds CNI plugins")
        String bin_dir() default "/opt/cni/bin";

        @AttributeDefinition(description = "Requests served in parallel (ADDs that wait for annotations count)",
                min = "1")
        int workers() default 32;

        @AttributeDefinition(description = "Largest request body accepted (bytes)", min = "1024")
        int max_request_bytes() default 1024 * 1024;

        @AttributeDefinition(description = "How long a client may take to send its request, and to take the "
                + "answer (ms)", min = "1")
        long io_timeout_ms() default 10_000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(CniComponent.class);

    private final AtomicReference<PodPlumber> plumber = new AtomicReference<>();
    private final PodWaiter pods;
    private final CniService service;
    private final ServiceRegistration<?> podWatch;
    private final ServiceRegistration<?> metricSource;
    private volatile Config config;
    /** Guarded by this. */
    private UnixHttpServer server;

    private final BundleContext frameworkContext;

    @Activate
    public CniComponent(BundleContext context, Config config, @Reference Informers informers) {
        this.frameworkContext = context;
        this.config = config;
        this.pods = new PodWaiter(informers.lister(Pod.class));
        CniMetrics metrics = new CniMetrics();
        this.service = new CniService(plumber::get, pods, () -> settings(this.config), metrics);
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ResourceHandler.WORKERS, 4);
        properties.put("component.name", PID + ".pods");
        this.podWatch = context.registerService(ResourceHandler.class.getName(), pods, properties);
        this.metricSource = context.registerService(MetricSource.class, metrics, null);
        apply(null, config);
    }

    @Modified
    void modified(Config next) {
        Config previous = config;
        config = next;
        apply(previous, next);
    }

    private synchronized void apply(Config previous, Config next) {
        boolean moved = previous == null || !previous.socket_path().equals(next.socket_path());
        if (moved) {
            if (server != null) {
                server.close();
                server = null;
                LOG.info("CNI server: stopped listening on {}", previous.socket_path());
            }
            Path socket = Path.of(next.socket_path());
            try {
                server = UnixHttpServer.start(socket, this::handle, () -> limits(config), next.workers());
                LOG.info("CNI server: listening on {} ({} workers)", socket, next.workers());
            } catch (IOException | RuntimeException e) {
                String prefix = socket.toAbsolutePath() + ": ";
                String reason = String.valueOf(e.getMessage());
                LOG.error("CNI server: cannot listen on {}: {}; CNI requests fail until this is fixed and the "
                        + "configuration {} is applied again", socket, reason.startsWith(prefix)
                                ? reason.substring(prefix.length()) : reason, PID);
                return;
            }
        } else if (server != null) {
            server.setWorkers(next.workers());
        }
        if (server != null && (moved || !previous.bin_dir().equals(next.bin_dir())
                || !previous.conf_dir().equals(next.conf_dir()))) {
            try {
                CniInstaller.install(CniInstaller.shim(), Path.of(next.bin_dir()), Path.of(next.conf_dir()),
                        next.socket_path(), DEFAULT_SOCKET);
            } catch (IOException | RuntimeException e) {
                LOG.error("CNI: cannot install the shim into {} or the network configuration into {}: {}; kubelet "
                        + "cannot use this node's network until the configuration {} is applied again",
                        next.bin_dir(), next.conf_dir(), e.toString(), PID);
            }
        }
    }

    private UnixHttpServer.Response handle(byte[] body) {
        CniService.Reply reply = service.handle(body);
        return new UnixHttpServer.Response(reply.status(), reply.body());
    }

    static CniService.Settings settings(Config config) {
        return new CniService.Settings(Duration.ofMillis(config.annotation_timeout_ms()),
                Duration.ofMillis(config.plumb_timeout_ms()), config.mtu());
    }

    static UnixHttpServer.Limits limits(Config config) {
        return new UnixHttpServer.Limits(config.max_request_bytes(), Duration.ofMillis(config.io_timeout_ms()));
    }

    @Reference(service = PodPlumber.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindPlumber(PodPlumber next) {
        PodPlumber previous = plumber.getAndSet(next);
        LOG.info("CNI server: network mode {} plumbs pods{}", next.mode(),
                previous == null ? "" : " (instead of " + previous.mode() + ")");
    }

    void unbindPlumber(PodPlumber gone) {
        if (plumber.compareAndSet(gone, null)) {
            if (frameworkStopping()) {
                LOG.info("CNI server: network mode {} stopped with the framework", gone.mode());
            } else {
                LOG.warn("CNI server: network mode {} is gone; ADD, DEL and CHECK answer \"try again later\" until a "
                        + "mode bundle runs", gone.mode());
            }
        }
    }

    @Deactivate
    synchronized void deactivate() {
        for (ServiceRegistration<?> registration : List.of(podWatch, metricSource)) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping
            }
        }
        pods.close();
        if (server != null) {
            server.close();
            server = null;
        }
        LOG.info("CNI server: stopped; the shim and the network configuration stay for kubelet");
    }

    /** During an orderly framework stop every bundle goes: a mode leaving then is no news worth a warning. */
    /** Whether the whole framework is stopping (then a mode going away is no news); this bundle's own context. */
    private boolean frameworkStopping() {
        try {
            return frameworkContext.getBundle(org.osgi.framework.Constants.SYSTEM_BUNDLE_LOCATION).getState()
                    == org.osgi.framework.Bundle.STOPPING;
        } catch (IllegalStateException stopped) {
            return false; // this bundle is stopped already: its own stop, not necessarily the framework's
        }
    }
}
