package io.ovnk.underlay.internal;

/**
 * Why a pod's port cannot be bound now. Each is an {@link IllegalStateException}: the master's pod queue logs the
 * message and retries with backoff, because each heals without a change of the pod (the node gets its VM port, the
 * VM's port appears in the Northbound, another pod of the VM releases its tag).
 */
sealed class UnderlayBindException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private UnderlayBindException(String message) {
        super(message);
    }

    /** The node names no VM port: neither the annotation nor the configuration. */
    static final class NoVmPort extends UnderlayBindException {
        private static final long serialVersionUID = 1L;

        NoVmPort(String node) {
            super("node " + node + ": no VM port: annotate the Node with " + UnderlayNames.NODE_VM_PORT
                    + "=<the VM's logical switch port> or map it in " + UnderlayNames.BINDER_PID + " node.vm.ports");
        }
    }

    /** The node's VM port is not a logical switch port of the Northbound (or is itself a child port). */
    static final class VmPortNotInNorthbound extends UnderlayBindException {
        private static final long serialVersionUID = 1L;

        VmPortNotInNorthbound(String node, String port, String source, String reason) {
            super("node " + node + ": VM port \"" + port + "\" (from " + source + ") " + reason);
        }
    }

    /** Every tag of the range behind one parent is held by another port. */
    static final class TagsExhausted extends UnderlayBindException {
        private static final long serialVersionUID = 1L;

        TagsExhausted(String parent, String port, int min, int max) {
            super("VM port " + parent + ": all " + (max - min + 1) + " VLAN tags (" + min + "-" + max
                    + ") are in use by its other pods; port " + port + " waits until one is released");
        }
    }
}
