package io.ovnk.gateway.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.ClusterSubnet;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.Ipam;
import io.ovnk.kube.Informers;
import io.ovnk.kube.Leadership;
import io.ovnk.kube.ResourceHandler;
import io.ovnk.ovsdb.OvsdbClient;
import java.time.Duration;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's master side, alive exactly while this process holds the {@link Leadership}: each activation is a
 * term ({@link GatewayMaster}). Deactivation stops the handlers and deletes nothing, so stopping or updating the
 * bundle leaves north-south traffic flowing; {@code gateway:cleanup} is the explicit way to remove it: it disables
 * this component first (through SCR), and {@code gateway:enable} enables it again.
 */
@Component(immediate = true, configurationPid = GatewayMasterComponent.PID)
@Designate(ocd = GatewayMasterComponent.Config.class)
public final class GatewayMasterComponent {

    static final String PID = "io.ovnk.gateway";

    @ObjectClassDefinition(name = "ovnk gateway (master side)", description = "Gateway routers, SNAT and NodePort "
            + "load balancers in the OVN Northbound, while this process leads")
    public @interface Config {
        @AttributeDefinition(description = "NodePort range FIRST-LAST; a Service with a node port outside it is "
                + "refused with a Warning Event")
        String nodeport_range() default "30000-32767";

        @AttributeDefinition(description = "network_name of the localnet port on each ext_<node> switch; nodes map "
                + "it to their bridge in ovn-bridge-mappings")
        String physnet() default "physnet";

        @AttributeDefinition(description = "Nodes, Services and EndpointSlices handled at once (each kind)", min = "1")
        int workers() default 4;

        @AttributeDefinition(description = "Deadline of one Northbound transaction (ms)", min = "1")
        long nb_timeout_ms() default 30_000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(GatewayMasterComponent.class);

    private final GatewayMaster master;

    @Activate
    public GatewayMasterComponent(BundleContext bundleContext, Config config, @Reference Leadership leadership,
            @Reference(target = "(database=OVN_Northbound)") OvsdbClient northbound, @Reference Ipam ipam,
            @Reference Informers informers, @Reference KubernetesClient client) {
        GatewayMaster.Settings settings;
        try {
            Cidr join = ipam.joinSubnets().stream().filter(c -> c.family() == Family.IPV4).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("io.ovnk.ipam join.subnets: no IPv4 join subnet"));
            settings = new GatewayMaster.Settings(ipam.clusterSubnets().stream().map(ClusterSubnet::cidr).toList(), join,
                    config.physnet(), NodePorts.Range.parse(config.nodeport_range()), config.workers());
        } catch (IllegalArgumentException e) {
            LOG.error("{}; the gateway master does not start", e.getMessage());
            throw e;
        }
        GatewayMaster.Registry registry = (handler, name, workers) -> {
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
        this.master = new GatewayMaster(new Northbound(northbound, Duration.ofMillis(config.nb_timeout_ms())), informers,
                new Problems(client, "ovnk-gateway"), registry, settings);
        LOG.info("gateway master: term begins ({} leads; NodePorts {}, physnet {}, join {})", leadership.identity(),
                settings.range(), settings.physnet(), settings.joinSubnet());
        master.start();
    }

    @Deactivate
    void deactivate() {
        master.close();
        LOG.info("gateway master: term ended; what it programmed stays in place");
    }
}
