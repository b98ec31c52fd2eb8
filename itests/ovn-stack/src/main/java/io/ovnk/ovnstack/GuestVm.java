package io.ovnk.ovnstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A "VM" on a chassis, for OVN's container-inside-a-VM model (child ports with {@code parent_name} and
 * {@code tag}): a network namespace whose {@code eth0} is a veth plugged into the chassis's br-int as an ordinary
 * logical port, running its own small OVS (ovsdb-server and ovs-vswitchd, userspace datapath) with bridge
 * {@code br-guest}: eth0 is its trunk and the VM's own address sits on the bridge's internal port, untagged.
 * Pods inside the VM are access ports of br-guest (made by the code under test). This kernel has no 802.1Q, so
 * this is how the tests tag frames on the VM's link. Made by {@link OvnStack#createVm}, stopped and deleted with
 * the stack (its daemons by PID, its namespace), also after a killed JVM (the stack's record lists them).
 *
 * <p>The VM's namespace ignores ARP for its address on other interfaces ({@code arp_ignore=1}): the pods' veth
 * ends live there too. eth0 has transmit checksum offload off, as the stack's pods do.
 */
public final class GuestVm {

    /** The VM's NIC, the trunk of {@link #BRIDGE}. */
    public static final String NIC = "eth0";
    public static final String BRIDGE = "br-guest";

    private final String name;
    private final String namespace;
    private final String hostInterface;
    private final Path directory;
    private final Database database;
    private final Commands commands;
    private final Commands local;
    private final List<Daemon> daemons = new ArrayList<>();

    private GuestVm(String name, String namespace, String hostInterface, Path directory, Commands commands) {
        this.name = name;
        this.namespace = namespace;
        this.hostInterface = hostInterface;
        this.directory = directory;
        this.database = new Database("Open_vSwitch", directory.resolve("db.sock"), 0);
        this.commands = commands;
        this.local = new Commands(Map.of("OVS_RUNDIR", directory.toString()));
    }

    /**
     * Starts a VM plugged into the chassis's br-int with {@code iface-id=logicalPort} (which must exist in NB with
     * the MAC and address), waiting until ovn-controller has installed it. On failure, what was made is stopped.
     */
    static GuestVm start(Chassis chassis, String name, String namespace, String hostInterface, Path directory,
            String logicalPort, String mac, String cidr, String gateway, Commands commands, StackRecord record) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GuestVm vm = new GuestVm(name, namespace, hostInterface, directory, commands);
        try {
            vm.startAll(chassis, logicalPort, mac, cidr, gateway, record);
        } catch (RuntimeException | Error e) {
            try {
                vm.stop();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return vm;
    }

    private void startAll(Chassis chassis, String logicalPort, String mac, String cidr, String gateway,
            StackRecord record) {
        Namespaces.create(namespace, commands, record);
        commands.run("ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1",
                "net.ipv4.conf.default.arp_ignore=1", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1");
        List<String> create = new ArrayList<>(List.of("ip", "link", "add", hostInterface));
        chassis.namespace().ifPresent(ns -> create.addAll(List.of("netns", ns)));
        create.addAll(List.of("type", "veth", "peer", "name", NIC, "netns", namespace));
        commands.run(Commands.DEFAULT_TIMEOUT, create);
        exec("ip", "link", "set", NIC, "up");
        exec("ethtool", "-K", NIC, "tx", "off");
        chassis.execInDatapathNamespace("ip", "link", "set", hostInterface, "up");
        chassis.vsctl("add-port", "br-int", hostInterface, "--", "set", "Interface", hostInterface,
                "external_ids:iface-id=" + logicalPort);

        Path file = directory.resolve("conf.db");
        local.run("ovsdb-tool", "create", file.toString(), Prerequisites.VSWITCH_SCHEMA.toString());
        Map<String, String> environment = Map.of("OVS_RUNDIR", directory.toString());
        Daemon ovsdb = Daemon.start("ovsdb-server", "ovsdb-server", List.of("ovsdb-server", file.toString(),
                "--no-chdir", "--pidfile=" + directory.resolve("ovsdb-server.pid"),
                "--log-file=" + directory.resolve("ovsdb-server.log"),
                "--unixctl=" + directory.resolve("ovsdb-server.ctl"), "--remote=punix:" + database.socket()),
                environment, directory, record, List.of(), pid -> directory.resolve("ovsdb-server.ctl"));
        daemons.add(ovsdb);
        try {
            local.run(Duration.ofSeconds(30), List.of("ovsdb-client", "--timeout=30", "wait", database.unixRemote(),
                    "Open_vSwitch", "connected"));
        } catch (CommandException e) {
            ovsdb.requireAlive();
            throw e;
        }
        vsctl("--no-wait", "init");
        vsctl("--no-wait", "set", "Open_vSwitch", ".", "other_config:hw-offload=false");
        Daemon vswitchd = Daemon.start("ovs-vswitchd", "ovs-vswitchd", List.of("ip", "netns", "exec", namespace,
                "ovs-vswitchd", database.unixRemote(), "--no-chdir", "--pidfile=" + directory.resolve("ovs-vswitchd.pid"),
                "--log-file=" + directory.resolve("ovs-vswitchd.log"),
                "--unixctl=" + directory.resolve("vswitchd.ctl")), environment, directory, record,
                List.of("ovs-appctl", "exit", "--cleanup"), pid -> directory.resolve("vswitchd.ctl"));
        daemons.add(vswitchd);
        try {
            // without --no-wait, ovs-vsctl returns once ovs-vswitchd has made the bridge
            vsctl("add-br", BRIDGE, "--", "set", "Bridge", BRIDGE, "datapath_type=netdev", "fail_mode=standalone",
                    "other_config:hwaddr=" + mac, "--", "add-port", BRIDGE, NIC);
        } catch (CommandException e) {
            vswitchd.requireAlive();
            throw e;
        }
        exec("ip", "link", "set", BRIDGE, "address", mac);
        exec("ip", "addr", "add", cidr, "dev", BRIDGE);
        exec("ip", "link", "set", BRIDGE, "up");
        exec("ip", "route", "add", "default", "via", gateway);
        chassis.vsctl("wait-until", "Interface", hostInterface, "external_ids:ovn-installed=true");
    }

    public String name() {
        return name;
    }

    /** The VM's network namespace (its NIC, br-guest's internal port, the pods' veth ends). */
    public String namespace() {
        return namespace;
    }

    /** The br-int end of the VM's NIC, in the chassis's namespace. */
    public String hostInterface() {
        return hostInterface;
    }

    /** The VM's own Open_vSwitch database (unix socket). */
    public Database database() {
        return database;
    }

    /** The VM's OVS run directory (control sockets, logs). */
    public Path directory() {
        return directory;
    }

    /** The VM as something to ping from: commands run in its namespace. */
    public Pod asPod() {
        return new Pod(name, namespace, hostInterface, commands);
    }

    /** Runs a command inside the VM's namespace; a non-zero exit throws. */
    public String exec(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return commands.run(Commands.DEFAULT_TIMEOUT, full);
    }

    /** ovs-vsctl against the VM's own database. */
    public String vsctl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ovs-vsctl", "--timeout=30", "--db=" + database.unixRemote()));
        command.addAll(List.of(arguments));
        return local.run(Commands.DEFAULT_TIMEOUT, command);
    }

    /** ovs-appctl to the VM's ovs-vswitchd (e.g. {@code fdb/show br-guest}). */
    public String appctl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ovs-appctl", "-t", directory.resolve("vswitchd.ctl").toString()));
        command.addAll(List.of(arguments));
        return local.run(Commands.DEFAULT_TIMEOUT, command);
    }

    /** Stops ovs-vswitchd (exit --cleanup), then ovsdb-server, then deletes the namespace. */
    void stop() {
        List<RuntimeException> failures = new ArrayList<>();
        for (int i = daemons.size() - 1; i >= 0; i--) {
            Daemon daemon = daemons.get(i);
            try {
                daemon.stop(local);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        try {
            Namespaces.delete(namespace, commands);
        } catch (RuntimeException e) {
            failures.add(e);
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
