package io.ovnk.underlay.internal;

import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** How a pod's frames reach the VM's NIC with the pod's VLAN tag: one of {@link NodeSettings.Strategy}. */
interface VlanStrategy {

    /** Why pods cannot be plumbed now, or empty. */
    Optional<String> problem();

    /** Makes the pod's interface (MAC, MTU, addresses, routes) on VLAN {@code tag}; on failure leaves nothing. */
    PlumbedInterface plumb(PodAttachment pod, int tag, long deadlineNanos) throws PlumbingException;

    /** Removes what {@link #plumb} made for the sandbox; idempotent. */
    void unplumb(String sandboxId, String netns, String ifName) throws PlumbingException;

    /**
     * What differs, beyond the pod interface's MAC and addresses, from what {@link #plumb} made.
     *
     * @param podLink {@code ip -d addr show} of the pod's interface, empty when it does not exist
     */
    List<String> differences(PodAttachment pod, int tag, String podLink);

    /** Removes the attachments of sandboxes not in {@code valid} that live in the VM; returns their sandboxes. */
    Set<String> collectGarbage(Set<String> valid) throws PlumbingException;

    /** The {@code ip -batch} lines inside the pod after its interface exists: up, addresses, routes. */
    static List<String> podAddressing(PodAttachment pod) {
        String dev = pod.ifName();
        List<String> lines = new ArrayList<>();
        lines.add("link set " + dev + " up");
        for (String address : pod.addresses()) {
            lines.add("addr add " + address + " dev " + dev + (address.contains(":") ? " nodad" : ""));
        }
        for (String gateway : pod.gateways()) {
            lines.add("route add default via " + gateway + " dev " + dev);
        }
        for (PodAttachment.Route route : pod.routes()) {
            lines.add("route add " + route.destination() + " via " + route.nextHop() + " dev " + dev);
        }
        return lines;
    }

    /** The MAC in {@code ip link} output ("link/ether XX"), or empty. */
    static String macOf(String shown) {
        for (String line : shown.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 2 && fields[0].equals("link/ether")) {
                return fields[1];
            }
        }
        return "";
    }
}
