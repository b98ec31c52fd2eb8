package io.ovnk.master.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.ipam.Ipam;
import io.ovnk.kube.Annotator;
import io.ovnk.kube.Informers;
import io.ovnk.kube.Leadership;
import io.ovnk.kube.ResourceHandler;
import io.ovnk.network.spi.PodPortBinder;
import io.ovnk.ovsdb.OvsdbClient;
import java.time.Duration;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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
 * The master, alive exactly while this process holds the {@link Leadership}: each activation is one term,
 * which rebuilds its state from the cluster and then registers the controllers as handler services. The network
 * mode is a dynamic reference: another mode bundle taking over rebinds every pod's port, nothing restarts.
 */
@Component(immediate = true, configurationPid = MasterComponent.PID)
@Designate(ocd = MasterComponent.Config.class)
public final class MasterComponent {

    static final String PID = "io.ovnk.master";

    @ObjectClassDefinition(name = "ovnk master", description = "The controllers that write the OVN Northbound")
    public @interface Config {
        @AttributeDefinition(description = "Nodes handled at once", min = "1")
        int node_workers() default 4;

        @AttributeDefinition(description = "Pods handled at once (each waits on the API server and the Northbound)",
                min = "1")
        int pod_workers() default 16;

        @AttributeDefinition(description = "Services handled at once", min = "1")
        int service_workers() default 4;

        @AttributeDefinition(description = "Deadline of one Northbound transaction (ms)", min = "1")
        long nb_timeout_ms() default 30_000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(MasterComponent.class);

    private final Master master;
    private volatile PodPortBinder binder;

    private final BundleContext frameworkContext;

    @Activate
    public MasterComponent(BundleContext bundleContext, Config config, @Reference Leadership leadership,
            @Reference(target = "(database=OVN_Northbound)") OvsdbClient northbound, @Reference Ipam ipam,
            @Reference Informers informers, @Reference Annotator annotator, @Reference KubernetesClient client,
            @Reference(name = "metrics") MasterMetrics metrics) {
        this.frameworkContext = bundleContext;
        MasterContext context = new MasterContext(new Northbound(northbound, Duration.ofMillis(config.nb_timeout_ms())),
                ipam, informers, annotator, new KubeEvents(client), () -> binder, metrics);
        Master.Registry registry = (handler, name, workers) -> {
            Hashtable<String, Object> properties = new Hashtable<>();
            properties.put(ResourceHandler.WORKERS, workers);
            properties.put("component.name", name);
            ServiceRegistration<?> registration = bundleContext.registerService(ResourceHandler.class.getName(), handler,
                    properties);
            return () -> {
                try {
                    registration.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the bundle is stopping
                }
            };
        };
        this.master = new Master(context, registry, new Master.Workers(config.node_workers(), config.pod_workers(),
                config.service_workers()));
        LOG.info("master: term begins, {} leads {}", leadership.identity(), leadership.lease());
        master.start();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindBinder(PodPortBinder binder) {
        this.binder = binder;
        LOG.info("master: network mode {} is active", binder.mode());
        if (master != null) {
            master.rebindAll();
        }
    }

    void unbindBinder(PodPortBinder binder) {
        if (this.binder == binder) {
            this.binder = null;
            if (frameworkStopping()) {
                LOG.info("master: network mode {} stopped with the framework", binder.mode());
            } else {
                LOG.warn("master: network mode {} is gone; new pods wait for a mode bundle", binder.mode());
            }
        }
    }

    @Deactivate
    void deactivate() {
        master.close();
        LOG.info("master: term ended");
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
