package io.ovnk.overlay.internal;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the node set-up needs to know, checked once: every fault is an IllegalArgumentException naming the key of
 * {@code io.ovnk.overlay.node}.
 *
 * @param hostNetns the named network namespace where OVS's datapath and the node's interfaces live; empty for
 *        this process's own
 * @param podTxChecksumOffload false: the plumber turns transmit checksum offload off in each pod
 *        ({@code ethtool -K <if> tx off}), which the userspace datapath needs across Geneve
 */
record NodeSettings(String nodeName, String encapIp, String encapType, String sbRemotes, String bridge,
        String datapathType, int mtu, List<Cidr> clusterSubnets, List<Cidr> serviceCidrs, String hostNetns,
        boolean podTxChecksumOffload) {

    static final String PID = "io.ovnk.overlay.node";
    static final String MANAGEMENT_PORT = "ovn-k8s-mp0";

    NodeSettings {
        Objects.requireNonNull(nodeName, "nodeName");
        clusterSubnets = List.copyOf(clusterSubnets);
        serviceCidrs = List.copyOf(serviceCidrs);
    }

    static NodeSettings of(String nodeName, String encapIp, String encapType, String sbRemotes, String bridge,
            String datapathType, int mtu, String[] clusterSubnets, String[] serviceCidrs, String hostNetns,
            boolean podTxChecksumOffload) {
        String node = required("node.name", nodeName);
        if (node.length() > 253 || !node.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.')) {
            throw invalid("node.name", node, "not a Kubernetes node name (lower-case letters, digits, '-', '.')");
        }
        String encap = required("encap.ip", encapIp);
        try {
            IpAddress.parse(encap);
        } catch (IllegalArgumentException e) {
            throw invalid("encap.ip", encap, e.getMessage());
        }
        String type = blankToDefault(encapType, "geneve");
        if (!List.of("geneve", "vxlan", "stt").contains(type)) {
            throw invalid("encap.type", type, "expected geneve, vxlan or stt");
        }
        String remotes = blankToDefault(sbRemotes, "").replace(" ", "");
        for (String remote : remotes.isEmpty() ? new String[0] : remotes.split(",")) {
            if (!remote.matches("(tcp|ssl):(\\[[0-9a-fA-F:.]+\\]|[^:\\[\\]]+):\\d{1,5}|unix:/.+")) {
                throw invalid("sb.remotes", remote, "expected tcp:HOST:PORT, ssl:HOST:PORT or unix:PATH");
            }
        }
        String bridgeName = blankToDefault(bridge, "br-int");
        if (!isInterfaceName(bridgeName)) {
            throw invalid("bridge", bridgeName, "not an interface name (1-15 characters, no '/', no blank)");
        }
        String datapath = blankToDefault(datapathType, "system");
        if (!datapath.equals("system") && !datapath.equals("netdev")) {
            throw invalid("datapath.type", datapath, "expected system or netdev");
        }
        if (mtu < 576 || mtu > 65535) {
            throw invalid("mtu", Integer.toString(mtu), "outside 576-65535");
        }
        List<Cidr> cluster = cidrs("cluster.subnets", clusterSubnets, true);
        List<Cidr> services = cidrs("service.cidrs", serviceCidrs, false);
        String netns = blankToDefault(hostNetns, "");
        if (!netns.isEmpty() && (netns.contains("/") || netns.startsWith("."))) {
            throw invalid("host.netns", netns, "a namespace name under /var/run/netns, not a path");
        }
        return new NodeSettings(node, encap, type, remotes, bridgeName, datapath, mtu, cluster, services, netns,
                podTxChecksumOffload);
    }

    /** The OVN logical switch port of this node's management port, and its iface-id. */
    String managementPortName() {
        return "k8s-" + nodeName;
    }

    /** The network namespace as {@code ip link ... netns} takes it: a name, or this process's own by path. */
    String hostNetnsReference() {
        return hostNetns.isEmpty() ? "/proc/" + ProcessHandle.current().pid() + "/ns/net" : hostNetns;
    }

    static boolean isInterfaceName(String name) {
        return !name.isEmpty() && name.length() <= 15 && name.chars().noneMatch(c -> c == '/' || c <= ' ' || c == ':')
                && !name.equals(".") && !name.equals("..");
    }

    private static List<Cidr> cidrs(String key, String[] values, boolean hostPrefixAllowed) {
        List<Cidr> cidrs = new ArrayList<>();
        String[] given = values == null ? new String[0] : values;
        for (int i = 0; i < given.length; i++) {
            String value = given[i].trim();
            String cidr = value;
            // cluster subnets are written as the IPAM takes them, CIDR[/hostPrefix]: the route needs the CIDR only
            if (hostPrefixAllowed && value.chars().filter(c -> c == '/').count() == 2) {
                cidr = value.substring(0, value.lastIndexOf('/'));
            }
            try {
                Cidr parsed = Cidr.parse(cidr);
                if (!parsed.isNetwork()) {
                    throw new IllegalArgumentException("host bits are set (the network is " + parsed.toNetwork() + ")");
                }
                cidrs.add(parsed);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PID + ": " + key + "[" + i + "]: \"" + value + "\": " + e.getMessage(), e);
            }
        }
        return cidrs;
    }

    private static String required(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(PID + ": " + key + " is required and not set");
        }
        return value.trim();
    }

    private static String blankToDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static IllegalArgumentException invalid(String key, String value, String reason) {
        return new IllegalArgumentException(PID + ": " + key + ": \"" + value + "\": " + reason);
    }
}
