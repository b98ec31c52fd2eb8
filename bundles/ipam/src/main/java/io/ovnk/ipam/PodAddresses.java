package io.ovnk.ipam;

import java.util.List;
import java.util.Objects;

/**
 * What a pod was given: one address per family with the node subnet's prefix length (IPv4 first), the MAC of
 * its interface and the gateway of each family: the values of {@code k8s.ovn.org/pod-networks}.
 */
public record PodAddresses(List<Cidr> addresses, MacAddress mac, List<IpAddress> gateways) {

    public PodAddresses {
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(mac, "mac");
        gateways = List.copyOf(gateways);
    }

    /** The bare addresses, as {@link Ipam#releasePodAddresses} takes them. */
    public List<IpAddress> ips() {
        IpAddress[] ips = new IpAddress[addresses.size()];
        for (int i = 0; i < ips.length; i++) {
            ips[i] = addresses.get(i).address();
        }
        return List.of(ips);
    }
}
