package io.ovnk.overlay.internal;

import io.fabric8.kubernetes.api.model.Node;
import io.ovnk.kube.Annotator;
import io.ovnk.kube.Informers;
import io.ovnk.kube.ResourceHandler;
import io.ovnk.network.spi.PodPlumber;
import io.ovnk.network.spi.PodPortBinder;
import io.ovnk.ovsdb.OvsdbClient;
import java.time.Duration;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The overlay's node side, where {@code io.ovnk.overlay.node} is configured: the node set-up (on its own
 * thread), the handler that feeds it this node's changes, and the {@link PodPlumber} service, registered at
 * once and reporting not-ready until the set-up is complete. A changed configuration reactivates it.
 */
@Component(immediate = true, configurationPid = NodeSettings.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = OverlayNodeComponent.Config.class)
public final class OverlayNodeComponent {

    @ObjectClassDefinition(name = "ovnk overlay node", description = "This node's OVS and OVN set-up for the "
            + "overlay mode, and how its pods are plumbed")
    public @interface Config {
        @AttributeDefinition(description = "This node's Kubernetes Node name")
        String node_name();

        @AttributeDefinition(description = "The tunnel endpoint address of this node (ovn-encap-ip)")
        String encap_ip();

        @AttributeDefinition(description = "Tunnel encapsulation (ovn-encap-type)", options = {
            @org.osgi.service.metatype.annotations.Option(value = "geneve"),
            @org.osgi.service.metatype.annotations.Option(value = "vxlan") })
        String encap_type() default "geneve";

        @AttributeDefinition(description = "The OVN Southbound for ovn-controller (ovn-remote): tcp:HOST:PORT, "
                + "ssl:HOST:PORT or unix:PATH, comma-separated", required = false)
        String sb_remotes() default "";

        @AttributeDefinition(description = "The integration bridge")
        String bridge() default "br-int";

        @AttributeDefinition(description = "Datapath of the bridge: system (kernel module) or netdev (userspace)",
                options = { @org.osgi.service.metatype.annotations.Option(value = "system"),
                    @org.osgi.service.metatype.annotations.Option(value = "netdev") })
        String datapath_type() default "system";

        @AttributeDefinition(description = "MTU of pod interfaces and the management port", min = "576",
                max = "65535")
        int mtu() default 1400;

        @AttributeDefinition(description = "Cluster subnets, CIDR[/hostPrefix] as the IPAM takes them: the "
                + "management port routes them via the node subnet's .1")
        String[] cluster_subnets() default { "10.128.0.0/14" };

        @AttributeDefinition(description = "Service CIDRs, routed through the management port")
        String[] service_cidrs() default { "172.16.1.0/24" };

        @AttributeDefinition(description = "The named network namespace (/var/run/netns/NAME) where OVS's datapath "
                + "and the node's interfaces live; empty for this process's own", required = false)
        String host_netns() default "";

        @AttributeDefinition(description = "Leave transmit checksum offload on in pods; false turns it off "
                + "(ethtool -K IF tx off), which the userspace datapath needs across Geneve")
        boolean pod_tx_checksum_offload() default true;

        @AttributeDefinition(description = "Deadline of one set-up step (ms)", min = "1")
        long step_timeout_ms() default 30_000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(OverlayNodeComponent.class);

    private final NodeSetup setup;
    private final LocalOvs ovs;
    private final ServiceRegistration<?> handlerRegistration;
    private final ServiceRegistration<PodPlumber> plumberRegistration;

    @Activate
    public OverlayNodeComponent(BundleContext bundleContext, Config config,
            @Reference(target = "(database=Open_vSwitch)") OvsdbClient openVswitch, @Reference Informers informers,
            @Reference Annotator annotator) {
        NodeSettings settings;
        try {
            settings = settings(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}; the overlay node does not start", e.getMessage());
            throw e;
        }
        ProcessRunner runner = new ProcessRunner();
        Links links = new Links(runner, settings);
        this.ovs = new LocalOvs(openVswitch);
        this.setup = new NodeSetup(settings, ovs, links, () -> informers.lister(Node.class), annotator,
                Duration.ofMillis(config.step_timeout_ms()));
        OverlayPodPlumber plumber = new OverlayPodPlumber(settings, ovs, links, setup::readiness);

        Hashtable<String, Object> handlerProperties = new Hashtable<>();
        handlerProperties.put(ResourceHandler.WORKERS, 1);
        handlerRegistration = bundleContext.registerService(ResourceHandler.class.getName(), setup.nodeHandler(),
                handlerProperties);
        Hashtable<String, Object> plumberProperties = new Hashtable<>();
        plumberProperties.put(PodPortBinder.MODE, OverlayPodPlumber.MODE);
        plumberRegistration = bundleContext.registerService(PodPlumber.class, plumber, plumberProperties);
        LOG.info("node {}: overlay node starts (bridge {}, datapath {}, encap {} {}, host namespace {})",
                settings.nodeName(), settings.bridge(), settings.datapathType(), settings.encapType(),
                settings.encapIp(), settings.hostNetns().isEmpty() ? "(own)" : settings.hostNetns());
        setup.start();
    }

    static NodeSettings settings(Config config) {
        return NodeSettings.of(config.node_name(), config.encap_ip(), config.encap_type(), config.sb_remotes(),
                config.bridge(), config.datapath_type(), config.mtu(), config.cluster_subnets(), config.service_cidrs(),
                config.host_netns(), config.pod_tx_checksum_offload());
    }

    @Deactivate
    void deactivate() {
        unregister(plumberRegistration);
        unregister(handlerRegistration);
        setup.close();
        ovs.close();
        LOG.info("overlay node stopped");
    }

    private static void unregister(ServiceRegistration<?> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
    }
}
