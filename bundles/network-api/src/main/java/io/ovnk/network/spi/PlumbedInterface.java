package io.ovnk.network.spi;

import java.util.Objects;

/**
 * What a plumber made for a pod, as the CNI result reports it: the host-side interface (on the node) and the
 * pod-side one (in {@code sandbox}, the pod's netns path).
 */
public record PlumbedInterface(String hostName, String hostMac, String podName, String podMac, String sandbox) {

    public PlumbedInterface {
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(hostMac, "hostMac");
        Objects.requireNonNull(podName, "podName");
        Objects.requireNonNull(podMac, "podMac");
        Objects.requireNonNull(sandbox, "sandbox");
    }
}
