package io.ovnk.ipam.internal;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.ClusterSubnet;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpamConfigurationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The IPAM's configuration, checked: cluster subnets that do not overlap each other, the service and join ranges
 * (which must not overlap a cluster subnet: a pod address there would be unreachable), exclusions carved out of
 * the cluster subnets, and extra host offsets reserved in every node subnet. Each fault is an
 * {@link IpamConfigurationException} naming the key, the index and both ranges of an overlap.
 */
record IpamSettings(List<ClusterSubnet> clusterSubnets, List<Cidr> serviceCidrs, List<Cidr> joinSubnets,
        List<Cidr> excludedSubnets, int[] reservedOffsets) {

    static final String CLUSTER_SUBNETS = "cluster.subnets";
    static final String SERVICE_CIDRS = "service.cidrs";
    static final String JOIN_SUBNETS = "join.subnets";
    static final String EXCLUDED_SUBNETS = "excluded.subnets";
    static final String RESERVED_OFFSETS = "reserved.offsets";

    IpamSettings {
        clusterSubnets = List.copyOf(clusterSubnets);
        serviceCidrs = List.copyOf(serviceCidrs);
        joinSubnets = List.copyOf(joinSubnets);
        excludedSubnets = List.copyOf(excludedSubnets);
        reservedOffsets = reservedOffsets.clone();
    }

    static IpamSettings parse(String[] clusterSubnets, String[] serviceCidrs, String[] joinSubnets,
            String[] excludedSubnets, int[] reservedOffsets) {
        List<ClusterSubnet> cluster = new ArrayList<>();
        List<Integer> clusterIndexes = new ArrayList<>();
        String[] clusterTexts = orEmpty(clusterSubnets);
        for (int i = 0; i < clusterTexts.length; i++) {
            if (clusterTexts[i] == null || clusterTexts[i].isBlank()) {
                throw new IpamConfigurationException(CLUSTER_SUBNETS + "[" + i + "]", "empty entry");
            }
            try {
                cluster.add(ClusterSubnet.parse(clusterTexts[i]));
                clusterIndexes.add(i);
            } catch (IllegalArgumentException e) {
                throw new IpamConfigurationException(CLUSTER_SUBNETS + "[" + i + "]", "\"" + clusterTexts[i] + "\": "
                        + e.getMessage());
            }
        }
        if (cluster.isEmpty()) {
            throw new IpamConfigurationException(CLUSTER_SUBNETS, "at least one cluster subnet is needed");
        }
        for (int i = 0; i < cluster.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (cluster.get(i).cidr().overlaps(cluster.get(j).cidr())) {
                    throw new IpamConfigurationException(CLUSTER_SUBNETS + "[" + clusterIndexes.get(i) + "]",
                            cluster.get(i).cidr() + " overlaps " + CLUSTER_SUBNETS + "[" + clusterIndexes.get(j) + "] "
                            + cluster.get(j).cidr());
                }
            }
        }
        List<Cidr> services = cidrs(SERVICE_CIDRS, serviceCidrs);
        List<Cidr> joins = cidrs(JOIN_SUBNETS, joinSubnets);
        List<Cidr> excluded = cidrs(EXCLUDED_SUBNETS, excludedSubnets);
        mustNotOverlapCluster(SERVICE_CIDRS, services, cluster, clusterIndexes);
        mustNotOverlapCluster(JOIN_SUBNETS, joins, cluster, clusterIndexes);
        for (int i = 0; i < joins.size(); i++) {
            for (int j = 0; j < services.size(); j++) {
                if (joins.get(i).overlaps(services.get(j))) {
                    throw new IpamConfigurationException(JOIN_SUBNETS + "[" + i + "]", joins.get(i) + " overlaps "
                            + SERVICE_CIDRS + "[" + j + "] " + services.get(j));
                }
            }
        }
        for (int i = 0; i < excluded.size(); i++) {
            Cidr exclusion = excluded.get(i);
            if (cluster.stream().noneMatch(entry -> entry.cidr().contains(exclusion))) {
                throw new IpamConfigurationException(EXCLUDED_SUBNETS + "[" + i + "]", exclusion
                        + " lies outside every cluster subnet (" + cluster + "): there is nothing to exclude it from");
            }
            for (int j = 0; j < i; j++) {
                if (exclusion.overlaps(excluded.get(j))) {
                    throw new IpamConfigurationException(EXCLUDED_SUBNETS + "[" + i + "]", exclusion + " overlaps "
                            + EXCLUDED_SUBNETS + "[" + j + "] " + excluded.get(j) + ": merge them into one entry");
                }
            }
        }
        int[] offsets = reservedOffsets == null ? new int[0] : reservedOffsets.clone();
        for (int i = 0; i < offsets.length; i++) {
            int offset = offsets[i];
            if (offset < 3) {
                throw new IpamConfigurationException(RESERVED_OFFSETS + "[" + i + "]", offset + ": offsets 0 (network),"
                        + " 1 (gateway) and 2 (management port) are always reserved; extra reservations start at 3");
            }
            for (ClusterSubnet entry : cluster) {
                long usable = entry.family() == Family.IPV4 ? (1L << (32 - entry.hostPrefix())) - 1 : ClusterRange.IPV6_POOL_SIZE;
                if (offset >= usable) {
                    throw new IpamConfigurationException(RESERVED_OFFSETS + "[" + i + "]", offset + " is not a host "
                            + "offset of a /" + entry.hostPrefix() + " node subnet of " + entry);
                }
            }
        }
        Arrays.sort(offsets);
        return new IpamSettings(cluster, services, joins, excluded, offsets);
    }

    List<ClusterSubnet> clusterSubnets(Family family) {
        return clusterSubnets.stream().filter(entry -> entry.family() == family).toList();
    }

    List<Cidr> excludedSubnets(Family family) {
        return excludedSubnets.stream().filter(cidr -> cidr.family() == family).toList();
    }

    private static void mustNotOverlapCluster(String key, List<Cidr> ranges, List<ClusterSubnet> cluster,
            List<Integer> clusterIndexes) {
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = 0; j < cluster.size(); j++) {
                if (ranges.get(i).overlaps(cluster.get(j).cidr())) {
                    throw new IpamConfigurationException(key + "[" + i + "]", ranges.get(i) + " overlaps "
                            + CLUSTER_SUBNETS + "[" + clusterIndexes.get(j) + "] " + cluster.get(j).cidr()
                            + ": pods there would be unreachable");
                }
            }
        }
    }

    private static List<Cidr> cidrs(String key, String[] texts) {
        List<Cidr> cidrs = new ArrayList<>();
        String[] given = orEmpty(texts);
        for (int i = 0; i < given.length; i++) {
            if (given[i] == null || given[i].isBlank()) {
                throw new IpamConfigurationException(key + "[" + i + "]", "empty entry");
            }
            Cidr cidr;
            try {
                cidr = Cidr.parse(given[i].strip());
            } catch (IllegalArgumentException e) {
                throw new IpamConfigurationException(key + "[" + i + "]", e.getMessage());
            }
            if (!cidr.isNetwork()) {
                throw new IpamConfigurationException(key + "[" + i + "]", cidr + " has host bits set; its network is "
                        + cidr.toNetwork());
            }
            cidrs.add(cidr);
        }
        return cidrs;
    }

    /** {@code key=} in a .cfg file reaches a String[] property as one blank element: that is an empty list. */
    private static String[] orEmpty(String[] texts) {
        if (texts == null || (texts.length == 1 && (texts[0] == null || texts[0].isBlank()))) {
            return new String[0];
        }
        return texts;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IpamSettings that && clusterSubnets.equals(that.clusterSubnets)
                && serviceCidrs.equals(that.serviceCidrs) && joinSubnets.equals(that.joinSubnets)
                && excludedSubnets.equals(that.excludedSubnets) && Arrays.equals(reservedOffsets, that.reservedOffsets);
    }

    @Override
    public int hashCode() {
        return clusterSubnets.hashCode() * 31 + Arrays.hashCode(reservedOffsets);
    }

    @Override
    public String toString() {
        return CLUSTER_SUBNETS + "=" + clusterSubnets + " " + SERVICE_CIDRS + "=" + serviceCidrs + " " + JOIN_SUBNETS
                + "=" + joinSubnets + " " + EXCLUDED_SUBNETS + "=" + excludedSubnets + " " + RESERVED_OFFSETS + "="
                + Arrays.toString(reservedOffsets);
    }
}
