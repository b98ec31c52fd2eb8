package io.ovnk.ipam;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Cluster subnets to node subnets, node subnets to pod addresses. Thread-safe: pod allocations on different
 * nodes never wait for each other, and no call leaves a partial allocation behind when it fails.
 */
@ProviderType
public interface Ipam {

    /** The configured cluster subnets, in the order they are used. */
    List<ClusterSubnet> clusterSubnets();

    /** The configured join subnets (between the cluster router and the gateway routers), IPv4 first. */
    List<Cidr> joinSubnets();

    /** The configured service CIDRs. */
    List<Cidr> serviceCidrs();

    /**
     * Forgets every node subnet and pod address, keeping the configuration: a master that (re)gains leadership
     * clears, then {@link #recover}s from what the cluster records, since another master may have allocated
     * meanwhile.
     */
    void clear();

    /**
     * The node's subnets, one per configured family, allocating those it does not hold yet (next-fit from the
     * cluster subnets, in order). A node keeps its subnets until they are released.
     *
     * @throws SubnetExhaustedException when a family has no node subnet left (nothing is allocated then)
     */
    NodeSubnets allocateNodeSubnets(String node);

    /** The node's subnets, if it holds any. */
    Optional<NodeSubnets> nodeSubnets(String node);

    /** Every node holding subnets. */
    List<NodeSubnets> allNodeSubnets();

    /** Releases the node's subnets, and with them every pod address inside; false if it held none. */
    boolean releaseNodeSubnets(String node);

    /**
     * One address from each of the node's subnets, next-fit (an address just released is not handed out again
     * until the others have been), with the MAC that goes with it.
     *
     * @throws UnknownNodeException when the node holds no subnet
     * @throws SubnetExhaustedException naming the node subnet that is full
     */
    PodAddresses allocatePodAddresses(String node);

    /**
     * Exactly the requested addresses (static IPs), each in the node's subnet of its family, or none of them.
     *
     * @throws AddressUnavailableException naming the address and why: taken, outside, reserved
     */
    PodAddresses allocatePodAddresses(String node, List<IpAddress> requested);

    /**
     * Returns addresses to the node's subnets. An address that is not allocated is skipped, so repeating a
     * release is harmless.
     *
     * @return how many addresses were released
     * @throws AddressUnavailableException for an address outside the node's subnets or a reserved one (then
     *         nothing is released)
     */
    int releasePodAddresses(String node, Collection<IpAddress> addresses);

    /**
     * Marks what the cluster already records as taken: node subnets first, then pod addresses. Conflicting
     * claims are reported with both parties and left out; nothing already held is overwritten.
     */
    RecoveryReport recover(Recovery recovery);

    /** The use of every node subnet. */
    List<SubnetUsage> usage();
}
