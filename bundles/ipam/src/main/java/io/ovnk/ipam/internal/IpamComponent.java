package io.ovnk.ipam.internal;

import io.ovnk.ipam.ClusterSubnet;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.Ipam;
import io.ovnk.ipam.IpamConfigurationException;
import io.ovnk.ipam.NodeSubnets;
import io.ovnk.ipam.PodAddresses;
import io.ovnk.ipam.Recovery;
import io.ovnk.ipam.RecoveryReport;
import io.ovnk.ipam.SubnetUsage;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Ipam} service, configured by {@code io.ovnk.ipam}; it runs only where that configuration exists
 * (the master feature provides it), so a node-only process carries the address types without an allocator
 * nobody asks. A configuration that does not parse keeps the
 * component from activating (SCR logs the reason, naming the key); a live change is applied whole or refused
 * whole, and a refused change leaves the running allocator as it was.
 */
@Component(service = Ipam.class, configurationPid = IpamComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = IpamComponent.Config.class)
public final class IpamComponent implements Ipam {

    static final String PID = "io.ovnk.ipam";

    @ObjectClassDefinition(name = "ovnk IPAM", description = "Cluster subnets cut into node subnets, node "
            + "subnets into pod addresses")
    public @interface Config {
        @AttributeDefinition(description = "Cluster subnets as CIDR[/hostPrefix], used in order; IPv4 without a "
                + "host prefix gets /24, IPv6 node subnets are /64. One IPv4 and one IPv6 range make the cluster "
                + "dual-stack")
        String[] cluster_subnets() default { "10.128.0.0/14/23" };

        @AttributeDefinition(description = "Service CIDRs; must not overlap a cluster subnet")
        String[] service_cidrs() default { "172.16.1.0/24" };

        @AttributeDefinition(description = "Join subnets between the cluster router and the gateway routers; "
                + "must not overlap a cluster subnet")
        String[] join_subnets() default { "100.64.0.0/16", "fd98::/64" };

        @AttributeDefinition(description = "Ranges inside the cluster subnets that are never handed out: a node "
                + "subnet wholly inside one is skipped, addresses of a node subnet inside one are reserved",
                required = false)
        String[] excluded_subnets() default {};

        @AttributeDefinition(description = "Extra host offsets reserved in every node subnet besides 0 (network), "
                + "1 (gateway) and 2 (management port); 3 for a hybrid overlay gateway", required = false)
        int[] reserved_offsets() default {};
    }

    private static final Logger LOG = LoggerFactory.getLogger(IpamComponent.class);

    private final IpamAllocator allocator;

    @Activate
    public IpamComponent(Config config) {
        this.allocator = new IpamAllocator(settings(config));
        LOG.info("IPAM ready: {}", allocator.settings());
    }

    @Modified
    void modified(Config config) {
        try {
            allocator.reconfigure(settings(config));
        } catch (IpamConfigurationException e) {
            LOG.error("{}: {}; the running configuration stays", PID, e.getMessage());
        }
    }

    static IpamSettings settings(Config config) {
        return IpamSettings.parse(config.cluster_subnets(), config.service_cidrs(), config.join_subnets(),
                config.excluded_subnets(), config.reserved_offsets());
    }

    @Override
    public List<ClusterSubnet> clusterSubnets() {
        return allocator.clusterSubnets();
    }

    @Override
    public List<io.ovnk.ipam.Cidr> joinSubnets() {
        return allocator.joinSubnets();
    }

    @Override
    public List<io.ovnk.ipam.Cidr> serviceCidrs() {
        return allocator.serviceCidrs();
    }

    @Override
    public void clear() {
        allocator.clear();
    }

    @Override
    public NodeSubnets allocateNodeSubnets(String node) {
        return allocator.allocateNodeSubnets(node);
    }

    @Override
    public Optional<NodeSubnets> nodeSubnets(String node) {
        return allocator.nodeSubnets(node);
    }

    @Override
    public List<NodeSubnets> allNodeSubnets() {
        return allocator.allNodeSubnets();
    }

    @Override
    public boolean releaseNodeSubnets(String node) {
        return allocator.releaseNodeSubnets(node);
    }

    @Override
    public PodAddresses allocatePodAddresses(String node) {
        return allocator.allocatePodAddresses(node);
    }

    @Override
    public PodAddresses allocatePodAddresses(String node, List<IpAddress> requested) {
        return allocator.allocatePodAddresses(node, requested);
    }

    @Override
    public int releasePodAddresses(String node, Collection<IpAddress> addresses) {
        return allocator.releasePodAddresses(node, addresses);
    }

    @Override
    public RecoveryReport recover(Recovery recovery) {
        return allocator.recover(recovery);
    }

    @Override
    public List<SubnetUsage> usage() {
        return allocator.usage();
    }
}
