package io.ovnk.underlay.internal;

import io.ovnk.network.spi.PodPlumber;
import io.ovnk.network.spi.PodPortBinder;
import io.ovnk.ovsdb.OvsdbClient;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The underlay's node side, inside the VM, where {@value UnderlayNames#NODE_PID} is configured: the
 * {@link PodPlumber} service (ready when the VM's NIC, and for guest-bridge the bridge trunking it, exist); each
 * pod's VLAN comes with its CNI attachment (the pod's annotations). The guest bridge is the VM's: its ovsdb-server and
 * ovs-vswitchd are started with the VM, and reached through the {@code Open_vSwitch} connection service. A changed
 * configuration reactivates it.
 */
@Component(immediate = true, configurationPid = UnderlayNames.NODE_PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = UnderlayNodeComponent.Config.class)
public final class UnderlayNodeComponent {

    @ObjectClassDefinition(name = "ovnk underlay node", description = "Pods inside this VM, each on a VLAN of the "
            + "VM's NIC")
    public @interface Config {
        @AttributeDefinition(description = "This node's Kubernetes Node name")
        String node_name();

        @AttributeDefinition(description = "How a pod's VLAN reaches the NIC: kernel-vlan (an 802.1Q sub-interface "
                + "of the NIC in the pod) or guest-bridge (a veth on an OVS bridge inside the VM that trunks the NIC)",
                options = { @Option(value = "kernel-vlan"), @Option(value = "guest-bridge") })
        String strategy() default "kernel-vlan";

        @AttributeDefinition(description = "The VM's NIC: its logical port on the hypervisor's OVN is the parent "
                + "of this node's pods' ports")
        String vm_nic() default "eth0";

        @AttributeDefinition(description = "guest-bridge: the OVS bridge inside the VM with the NIC as its trunk")
        String guest_bridge() default "br-guest";

        @AttributeDefinition(description = "MTU of pod interfaces", min = "576", max = "65535")
        int mtu() default 1400;

        @AttributeDefinition(description = "The named network namespace (/var/run/netns/NAME) holding the NIC and "
                + "the guest bridge's ports; empty for this process's own", required = false)
        String host_netns() default "";

        @AttributeDefinition(description = "Leave transmit checksum offload on in pods; false turns it off "
                + "(ethtool -K IF tx off), which userspace datapaths on both sides of the VM's NIC may need")
        boolean pod_tx_checksum_offload() default true;
    }

    private static final Logger LOG = LoggerFactory.getLogger(UnderlayNodeComponent.class);

    private final GuestBridge guestBridge;
    private final ServiceRegistration<PodPlumber> plumberRegistration;

    @Activate
    public UnderlayNodeComponent(BundleContext bundleContext, Config config,
            @Reference(target = "(database=Open_vSwitch)", cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) OvsdbClient guestOvs) {
        NodeSettings settings;
        try {
            settings = NodeSettings.of(config.node_name(), config.strategy(), config.vm_nic(), config.guest_bridge(),
                    config.mtu(), config.host_netns(), config.pod_tx_checksum_offload());
        } catch (IllegalArgumentException e) {
            LOG.error("{}; the underlay node does not start", e.getMessage());
            throw e;
        }
        Links links = new Links(new ProcessRunner(), settings.hostNetns());
        VlanStrategy strategy;
        if (settings.strategy() == NodeSettings.Strategy.GUEST_BRIDGE) {
            if (guestOvs == null) {
                LOG.warn("node {}: strategy guest-bridge needs an io.ovnk.ovsdb.connection with database = "
                        + "Open_vSwitch (the VM's OVS); not ready until one is configured", settings.nodeName());
                this.guestBridge = null;
                strategy = new Unavailable("no Open_vSwitch connection is configured for the guest bridge "
                        + settings.guestBridge());
            } else {
                this.guestBridge = new GuestBridge(guestOvs);
                guestBridge.start().whenComplete((handle, failure) -> {
                    if (failure != null) {
                        LOG.error("node {}: cannot monitor the VM's Open_vSwitch database: {}", settings.nodeName(),
                                failure.toString());
                    }
                });
                strategy = new GuestBridgeStrategy(settings, guestBridge, links);
            }
        } else {
            this.guestBridge = null;
            strategy = new KernelVlanStrategy(settings, links);
        }
        UnderlayPodPlumber plumber = new UnderlayPodPlumber(strategy, links);

        Hashtable<String, Object> plumberProperties = new Hashtable<>();
        plumberProperties.put(PodPortBinder.MODE, UnderlayNames.MODE);
        plumberRegistration = bundleContext.registerService(PodPlumber.class, plumber, plumberProperties);
        LOG.info("node {}: underlay node starts (strategy {}, NIC {}{}, VM namespace {})", settings.nodeName(),
                settings.strategy().key(), settings.vmNic(), settings.strategy() == NodeSettings.Strategy.GUEST_BRIDGE
                        ? ", bridge " + settings.guestBridge() : "",
                settings.hostNetns().isEmpty() ? "(own)" : settings.hostNetns());
    }

    @Deactivate
    void deactivate() {
        unregister(plumberRegistration);
        if (guestBridge != null) {
            guestBridge.close();
        }
        LOG.info("underlay node stopped");
    }

    private static void unregister(ServiceRegistration<?> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
    }

    /** A strategy that cannot work as configured: never ready, says why. */
    private record Unavailable(String reason) implements VlanStrategy {
        @Override
        public java.util.Optional<String> problem() {
            return java.util.Optional.of(reason);
        }

        @Override
        public io.ovnk.network.spi.PlumbedInterface plumb(io.ovnk.network.spi.PodAttachment pod, int tag,
                long deadline) throws io.ovnk.network.spi.PlumbingException {
            throw new io.ovnk.network.spi.PlumbingException(reason, true);
        }

        @Override
        public void unplumb(String sandboxId, String netns, String ifName) {
            // nothing was made
        }

        @Override
        public java.util.List<String> differences(io.ovnk.network.spi.PodAttachment pod, int tag, String podLink) {
            return java.util.List.of(reason);
        }

        @Override
        public java.util.Set<String> collectGarbage(java.util.Set<String> valid) {
            return java.util.Set.of();
        }
    }
}
