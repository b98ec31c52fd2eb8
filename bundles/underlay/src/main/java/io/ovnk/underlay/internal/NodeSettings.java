package io.ovnk.underlay.internal;

import java.util.Objects;

/**
 * What the underlay node (inside the VM) needs to know, checked once: every fault is an IllegalArgumentException
 * naming the key of {@value UnderlayNames#NODE_PID}.
 *
 * @param strategy how a pod's VLAN reaches the VM's NIC
 * @param vmNic the VM's NIC, whose frames reach the hypervisor's OVN on the VM's logical port
 * @param guestBridge the OVS bridge inside the VM (guest-bridge only), with the NIC as its trunk port
 * @param hostNetns the named network namespace standing for the VM (the NIC, the guest bridge's ports); empty for
 *        this process's own
 * @param podTxChecksumOffload false: {@code ethtool -K <if> tx off} in each pod (the guest bridge's userspace
 *        datapath and the hypervisor's must agree on offloads)
 */
record NodeSettings(String nodeName, Strategy strategy, String vmNic, String guestBridge, int mtu, String hostNetns,
        boolean podTxChecksumOffload) {

    /** How pods' frames get their VLAN tag on the VM's NIC. */
    enum Strategy {
        /** A kernel 802.1Q sub-interface of the NIC, moved into the pod as its interface. */
        KERNEL_VLAN("kernel-vlan"),
        /** A veth whose VM end is an access port (tag) of an OVS bridge inside the VM that trunks the NIC. */
        GUEST_BRIDGE("guest-bridge");

        private final String key;

        Strategy(String key) {
            this.key = key;
        }

        String key() {
            return key;
        }

        static Strategy of(String value) {
            for (Strategy strategy : values()) {
                if (strategy.key.equals(value)) {
                    return strategy;
                }
            }
            throw invalid("strategy", value, "expected kernel-vlan or guest-bridge");
        }
    }

    NodeSettings {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(strategy, "strategy");
    }

    static NodeSettings of(String nodeName, String strategy, String vmNic, String guestBridge, int mtu,
            String hostNetns, boolean podTxChecksumOffload) {
        if (nodeName == null || nodeName.isBlank()) {
            throw new IllegalArgumentException(UnderlayNames.NODE_PID + ": node.name is required and not set");
        }
        String node = nodeName.trim();
        if (node.length() > 253 || !node.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.')) {
            throw invalid("node.name", node, "not a Kubernetes node name (lower-case letters, digits, '-', '.')");
        }
        Strategy chosen = Strategy.of(blankToDefault(strategy, "kernel-vlan"));
        String nic = blankToDefault(vmNic, "eth0");
        if (!isInterfaceName(nic)) {
            throw invalid("vm.nic", nic, "not an interface name (1-15 characters, no '/', ':' or blank)");
        }
        String bridge = blankToDefault(guestBridge, "br-guest");
        if (!isInterfaceName(bridge)) {
            throw invalid("guest.bridge", bridge, "not an interface name (1-15 characters, no '/', ':' or blank)");
        }
        if (mtu < 576 || mtu > 65535) {
            throw invalid("mtu", Integer.toString(mtu), "outside 576-65535");
        }
        String netns = blankToDefault(hostNetns, "");
        if (!netns.isEmpty() && (netns.contains("/") || netns.startsWith("."))) {
            throw invalid("host.netns", netns, "a namespace name under /var/run/netns, not a path");
        }
        return new NodeSettings(node, chosen, nic, bridge, mtu, netns, podTxChecksumOffload);
    }

    /** The VM's namespace as {@code ip link ... netns} takes it: a name, or this process's own by path. */
    String hostNetnsReference() {
        return hostNetns.isEmpty() ? "/proc/" + ProcessHandle.current().pid() + "/ns/net" : hostNetns;
    }

    static boolean isInterfaceName(String name) {
        return !name.isEmpty() && name.length() <= 15 && name.chars().noneMatch(c -> c == '/' || c <= ' ' || c == ':')
                && !name.equals(".") && !name.equals("..");
    }

    private static String blankToDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static IllegalArgumentException invalid(String key, String value, String reason) {
        return new IllegalArgumentException(UnderlayNames.NODE_PID + ": " + key + ": \"" + value + "\": " + reason);
    }
}
