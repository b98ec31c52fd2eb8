package io.ovnk.ovnstack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One OVN chassis of the stack: its Open_vSwitch database, ovs-vswitchd (userspace datapath) and
 * ovn-controller. Unless asked otherwise ovs-vswitchd runs in the chassis's own network namespace, so its
 * tap devices and the pods' host-side veths never appear in the machine's namespace.
 */
public final class Chassis {

    private final String name;
    private final String encapIp;
    private final String namespace;
    private final Path directory;
    private final Database database;
    private final Commands commands;
    final Daemon ovsdbServer;
    final Daemon vswitchd;
    final Daemon controller;

    Chassis(String name, String encapIp, String namespace, Path directory, Database database, Commands commands,
            Daemon ovsdbServer, Daemon vswitchd, Daemon controller) {
        this.name = name;
        this.encapIp = encapIp;
        this.namespace = namespace;
        this.directory = directory;
        this.database = database;
        this.commands = commands;
        this.ovsdbServer = ovsdbServer;
        this.vswitchd = vswitchd;
        this.controller = controller;
    }

    /** The chassis name, also its {@code system-id} and {@code hostname}. */
    public String name() {
        return name;
    }

    /** The Geneve tunnel endpoint address. */
    public String encapIp() {
        return encapIp;
    }

    /** The namespace ovs-vswitchd runs in; empty when it runs in the machine's namespace. */
    public Optional<String> namespace() {
        return Optional.ofNullable(namespace);
    }

    /** The local Open_vSwitch database (unix socket only). */
    public Database database() {
        return database;
    }

    /** The directory that is this chassis's OVS_RUNDIR (br-int.mgmt and the control sockets live here). */
    public Path directory() {
        return directory;
    }

    public Daemon vswitchd() {
        return vswitchd;
    }

    public Daemon controller() {
        return controller;
    }

    /** Runs ovs-vsctl against this chassis's database. */
    public String vsctl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ovs-vsctl", "--timeout=30", "--db=" + database.unixRemote()));
        command.addAll(List.of(arguments));
        return commands.run(Commands.DEFAULT_TIMEOUT, command);
    }

    /** Runs a command where ovs-vswitchd runs (its namespace, or the machine's). */
    public String execInDatapathNamespace(String... command) {
        List<String> full = new ArrayList<>();
        if (namespace != null) {
            full.addAll(List.of("ip", "netns", "exec", namespace));
        }
        full.addAll(List.of(command));
        return commands.run(Commands.DEFAULT_TIMEOUT, full);
    }

    /**
     * Plugs a pod into br-int the way a CNI ADD does: veth into the pod's namespace with the MAC, address,
     * MTU and default route, the host end on br-int with {@code external_ids:iface-id}, then waits until
     * ovn-controller reports {@code ovn-installed}. The logical switch port must already exist in NB.
     *
     * @param cidr the pod address with its prefix length, e.g. {@code 10.244.0.3/24}
     */
    public Pod plug(Pod pod, String logicalPort, String mac, String cidr, String gateway, int mtu) {
        return plug(pod, logicalPort, mac, cidr, gateway, mtu, java.util.Map.of());
    }

    /**
     * As {@link #plug(Pod, String, String, String, String, int)}, with further {@code external_ids} on the OVS
     * interface, e.g. {@code iface-id-ver} for a logical port that names the pod's UID in {@code options:iface-id-ver}.
     */
    public Pod plug(Pod pod, String logicalPort, String mac, String cidr, String gateway, int mtu,
            java.util.Map<String, String> externalIds) {
        String host = pod.hostInterface();
        List<String> create = new ArrayList<>(List.of("ip", "link", "add", host));
        if (namespace != null) {
            create.addAll(List.of("netns", namespace));
        }
        create.addAll(List.of("type", "veth", "peer", "name", "eth0", "netns", pod.namespace()));
        commands.run(Commands.DEFAULT_TIMEOUT, create);
        pod.exec("ip", "link", "set", "eth0", "address", mac, "mtu", Integer.toString(mtu));
        pod.exec("ip", "addr", "add", cidr, "dev", "eth0");
        pod.exec("ip", "link", "set", "eth0", "up");
        pod.exec("ip", "route", "add", "default", "via", gateway);
        // the userspace datapath cannot checksum-offload for a veth (nor tunnel offloaded packets): compute in the pod
        pod.exec("ethtool", "-K", "eth0", "tx", "off");
        execInDatapathNamespace("ip", "link", "set", host, "up");
        List<String> add = new ArrayList<>(List.of("add-port", "br-int", host, "--", "set", "Interface", host,
                "external_ids:iface-id=" + logicalPort, "external_ids:attached_mac=" + mac,
                "external_ids:ip_addresses=" + cidr, "external_ids:sandbox=" + pod.namespace()));
        externalIds.forEach((key, value) -> add.add("external_ids:" + key + "=" + value));
        vsctl(add.toArray(String[]::new));
        vsctl("wait-until", "Interface", host, "external_ids:ovn-installed=true");
        return pod;
    }
}
