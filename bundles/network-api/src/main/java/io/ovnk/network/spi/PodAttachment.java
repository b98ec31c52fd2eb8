package io.ovnk.network.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a CNI ADD asks the node's mode to plumb: the pod, its sandbox, and the addresses the master annotated.
 * The CNI server has validated every field before a plumber sees it.
 *
 * @param namespace the pod's namespace
 * @param name the pod's name
 * @param uid the pod's UID, matched against the annotation's pod (an OVS port carries it as {@code iface-id-ver})
 * @param sandboxId {@code CNI_CONTAINERID}: the sandbox the interface belongs to
 * @param netns {@code CNI_NETNS}: the path of the pod's network namespace
 * @param ifName {@code CNI_IFNAME}: the pod-side interface name (at most 15 bytes)
 * @param mac the pod interface's MAC, {@code 0a:58:...}
 * @param addresses the pod's addresses with prefix length, e.g. {@code 10.128.0.5/23}
 * @param gateways the default gateways, one per family
 * @param routes further routes (service and cluster CIDRs in some modes)
 * @param mtu the pod interface's MTU
 * @param podAnnotations the annotations of the pod object whose {@code k8s.ovn.org/pod-networks} gave the addresses
 *        (so a mode's own annotation, which the master writes in the same patch, is there too; see
 *        {@link PortBinding#podAnnotations()}); since 1.2
 */
public record PodAttachment(String namespace, String name, String uid, String sandboxId, String netns, String ifName,
        String mac, List<String> addresses, List<String> gateways, List<Route> routes, int mtu,
        Map<String, String> podAnnotations) {

    public PodAttachment {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        uid = uid == null ? "" : uid;
        Objects.requireNonNull(sandboxId, "sandboxId");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(ifName, "ifName");
        Objects.requireNonNull(mac, "mac");
        addresses = List.copyOf(addresses);
        gateways = List.copyOf(gateways);
        routes = routes == null ? List.of() : List.copyOf(routes);
        podAnnotations = podAnnotations == null ? Map.of() : Map.copyOf(podAnnotations);
        if (mtu < 576 || mtu > 65535) {
            throw new IllegalArgumentException("mtu " + mtu + " is outside 576-65535");
        }
    }

    /** An attachment without the pod's annotations (as in 1.1). */
    public PodAttachment(String namespace, String name, String uid, String sandboxId, String netns, String ifName,
            String mac, List<String> addresses, List<String> gateways, List<Route> routes, int mtu) {
        this(namespace, name, uid, sandboxId, netns, ifName, mac, addresses, gateways, routes, mtu, Map.of());
    }

    /** The name of the pod's logical switch port and its OVS {@code iface-id}: {@code <namespace>_<pod>}. */
    public String ifaceId() {
        return namespace + "_" + name;
    }

    /** A route inside the pod: {@code destination} (CIDR) via {@code nextHop}. */
    public record Route(String destination, String nextHop) {
        public Route {
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(nextHop, "nextHop");
        }
    }
}
