package io.ovnk.ipam;

import java.util.Objects;

/**
 * One {@code --cluster-subnets} entry: a range cut into node subnets of {@code hostPrefix} bits, written
 * {@code CIDR[/hostPrefix]} ({@code 10.128.0.0/14/23}). IPv4 without a host prefix gets /24, as ovn-kubernetes
 * has always done; IPv6 node subnets are /64 (OVN's {@code ipv6_prefix} and SLAAC need it).
 */
public record ClusterSubnet(Cidr cidr, int hostPrefix) {

    public ClusterSubnet {
        Objects.requireNonNull(cidr, "cidr");
        if (!cidr.isNetwork()) {
            throw new IllegalArgumentException(cidr + " has host bits set; its network is " + cidr.toNetwork());
        }
        if (hostPrefix < cidr.prefixLength()) {
            throw new IllegalArgumentException("host prefix /" + hostPrefix + " is shorter than the cluster subnet "
                    + cidr + ": a node subnet must fit inside it");
        }
        if (cidr.family() == Family.IPV4 && hostPrefix > 29) {
            throw new IllegalArgumentException("host prefix /" + hostPrefix + " leaves no pod address: an IPv4 node "
                    + "subnet needs the network, gateway (.1), management (.2) and broadcast addresses, so /29 at most");
        }
        if (cidr.family() == Family.IPV6 && hostPrefix != 64) {
            throw new IllegalArgumentException("host prefix /" + hostPrefix + " for " + cidr + ": IPv6 node subnets "
                    + "must be /64");
        }
    }

    /** Parses {@code CIDR[/hostPrefix]}; an IllegalArgumentException says what is wrong with the text. */
    public static ClusterSubnet parse(String text) {
        Objects.requireNonNull(text, "cluster subnet");
        String trimmed = text.strip();
        int first = trimmed.indexOf('/');
        int second = first < 0 ? -1 : trimmed.indexOf('/', first + 1);
        Cidr cidr = Cidr.parse(second < 0 ? trimmed : trimmed.substring(0, second));
        int hostPrefix;
        if (second < 0) {
            hostPrefix = cidr.family() == Family.IPV4 ? 24 : 64;
        } else {
            String given = trimmed.substring(second + 1);
            if (given.isEmpty() || given.length() > 3 || !given.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("\"" + given + "\" is not a host prefix length");
            }
            hostPrefix = Integer.parseInt(given);
        }
        return new ClusterSubnet(cidr, hostPrefix);
    }

    public Family family() {
        return cidr.family();
    }

    @Override
    public String toString() {
        return cidr + "/" + hostPrefix;
    }
}
