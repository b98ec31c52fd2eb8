package io.ovnk.underlay.internal;

/** The names the underlay mode reads and writes outside itself: its mode, its PIDs and its annotations. */
final class UnderlayNames {

    static final String MODE = "underlay";
    static final String BINDER_PID = "io.ovnk.underlay";
    static final String NODE_PID = "io.ovnk.underlay.node";

    /**
     * On Nodes (written by whoever provisions the VM): the name of the VM's NIC's logical switch port on the
     * hypervisor's OVN, the parent of the node's pods' ports.
     */
    static final String NODE_VM_PORT = "k8s.ovn.org/node-vm-port";

    /**
     * On Pods (asked for by the underlay binder, written by the master in the same patch as
     * {@code k8s.ovn.org/pod-networks}): {@code {"parent":"<VM port>","tag":<VLAN>}}, what the pod's port carries as
     * {@code parent_name} and {@code tag_request}; the node inside the VM, which has no Northbound, reads the VLAN
     * from it in the CNI attachment.
     */
    static final String POD_VLAN = "k8s.ovn.org/underlay-vlan";

    private UnderlayNames() {
    }
}
