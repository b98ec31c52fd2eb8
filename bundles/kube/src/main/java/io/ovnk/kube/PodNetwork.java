package io.ovnk.kube;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import java.util.List;
import java.util.Objects;

/**
 * A pod's attachment to one network: its addresses with the node subnet's prefix length, its MAC, the gateway
 * of each family, extra routes and its role ({@code primary} for the default network).
 */
public record PodNetwork(List<Cidr> ipAddresses, MacAddress macAddress, List<IpAddress> gatewayIps,
        List<PodRoute> routes, String role) {

    public PodNetwork {
        ipAddresses = List.copyOf(ipAddresses);
        Objects.requireNonNull(macAddress, "mac_address");
        gatewayIps = List.copyOf(gatewayIps);
        routes = List.copyOf(routes);
        Objects.requireNonNull(role, "role");
        if (ipAddresses.isEmpty()) {
            throw new IllegalArgumentException("ip_addresses: a pod network has at least one address");
        }
        for (IpAddress gateway : gatewayIps) {
            if (ipAddresses.stream().noneMatch(address -> address.contains(gateway))) {
                throw new IllegalArgumentException("gateway_ips: " + gateway + " is in none of the pod's subnets "
                        + ipAddresses);
            }
        }
    }
}
