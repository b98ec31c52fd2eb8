package io.ovnk.kube;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import java.util.Objects;

/** A route in a pod's network annotation: {@code {"dest":"10.96.0.0/16","nextHop":"10.128.4.1"}}. */
public record PodRoute(Cidr dest, IpAddress nextHop) {

    public PodRoute {
        Objects.requireNonNull(dest, "dest");
        Objects.requireNonNull(nextHop, "nextHop");
        if (dest.family() != nextHop.family()) {
            throw new IllegalArgumentException("route to " + dest + " via " + nextHop + " mixes address families");
        }
    }
}
