package io.ovnk.network.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The master side of a mode: what a pod's logical switch port carries besides what every mode sets (name,
 * addresses, port security, requested chassis, ownership). Overlay adds nothing; underlay, whose pods live in
 * VMs behind the VM's own port, names that parent port and the VLAN tag.
 */
@ConsumerType
public interface PodPortBinder {

    /** Service property naming the mode of the provider: {@code overlay}, {@code underlay}. */
    String MODE = "ovnk.mode";

    /** The mode this binder implements, as in {@link #MODE}. */
    String mode();

    /**
     * The mode's part of the pod's port. Called on the master's worker threads; must not block on I/O.
     *
     * @throws IllegalArgumentException naming the annotation or field when the pod lacks what the mode needs
     *         (the pod then waits for a change, and the message is logged and recorded as an Event)
     */
    PortBinding bind(PodInfo pod);
}
