package io.ovnk.network.spi;

import java.time.Duration;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The node side of a mode: how a pod's interface is plumbed into the pod's network namespace and attached to the
 * network (overlay: a veth whose host end is an OVS port on br-int; underlay: a VLAN towards the VM's NIC). The CNI
 * server calls it for ADD, DEL, CHECK, STATUS and GC and never names a mode. Registered with the service property
 * {@link PodPortBinder#MODE}.
 *
 * <p>Calls for one pod are serialised by the caller; calls for different pods come in parallel.
 */
@ConsumerType
public interface PodPlumber {

    /** The mode this plumber implements, as in {@link PodPortBinder#MODE}. */
    String mode();

    /** Whether the node is set up and its databases reachable, so that {@link #plumb} can succeed. */
    Readiness readiness();

    /**
     * Creates the pod's interface with the attachment's MAC, addresses, routes and MTU, attaches it, and waits until
     * the network has installed it, all within {@code timeout}. An attachment of the same {@code ifaceId} left from
     * an earlier sandbox is replaced. On failure nothing this call made is left behind.
     */
    PlumbedInterface plumb(PodAttachment attachment, Duration timeout) throws PlumbingException;

    /**
     * Removes what {@link #plumb} made for the sandbox's interface. Idempotent: succeeds when the namespace, the
     * interface or the port are already gone.
     *
     * @param netns the pod's netns path, or empty when the runtime no longer knows it
     */
    void unplumb(String sandboxId, String netns, String ifName) throws PlumbingException;

    /** Checks that the interface and its attachment are as {@link #plumb} made them; the message says what differs. */
    void check(PodAttachment attachment) throws PlumbingException;

    /**
     * Removes every attachment on this node whose sandbox is not in {@code validSandboxes} (CNI GC).
     *
     * @return the sandboxes whose attachments were removed
     */
    Set<String> collectGarbage(Set<String> validSandboxes) throws PlumbingException;
}
