package io.ovnk.ovnstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private OVS/OVN stack of real daemons, in its own directory, on free ports, in its own network namespaces.
 * <pre>
 * try (OvnStack stack = OvnStack.singleChassis()) {
 *     stack.nbctl("ls-add", "node1");
 *     ...
 * }
 * </pre>
 * Closing stops every daemon by PID and deletes every namespace it made; a JVM shutdown hook does the same
 * if the stack is not closed, and a stack of a JVM that was killed is cleaned by the next one.
 */
public final class OvnStack implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final Builder settings;
    private final Path directory;
    private final String prefix;
    private final StackRecord record;
    private final Commands commands;
    private final List<Daemon> central = new ArrayList<>();
    private final List<Chassis> chassis = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private final List<Pod> pods = new ArrayList<>();
    private final List<GuestVm> vms = new ArrayList<>();
    private final Thread shutdownHook;
    /** The standalone databases' servers, by schema name, so tests can kill and restart them. */
    private final Map<String, Daemon> databaseServers = new HashMap<>();
    private Database northbound;
    private RaftCluster raft;
    private Database southbound;
    private Pki.Identity serverIdentity;
    private boolean closed;

    private OvnStack(Builder settings) {
        this.settings = settings;
        int sequence = SEQUENCE.incrementAndGet();
        // short: namespace and interface names are built from it (interfaces have 15 characters)
        this.prefix = "k" + Long.toString(ProcessHandle.current().pid() % 46656, 36) + sequence;
        Path root = settings.root != null ? settings.root : defaultRoot();
        // short: unix socket paths below it are limited to 107 bytes, and the checkout may sit deep
        String unique = Long.toString(System.currentTimeMillis() % 1_679_616, 36);
        this.directory = settings.directory != null ? settings.directory : root.resolve(prefix + "-" + unique);
        try {
            if (settings.directory != null && Files.exists(directory)) {
                deleteTree(directory);
            }
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
        this.record = new StackRecord(directory);
        record.writeOwner();
        Map<String, String> environment = new HashMap<>();
        environment.put("OVS_RUNDIR", directory.toString());
        environment.put("OVS_DBDIR", directory.toString());
        environment.put("OVS_LOGDIR", directory.toString());
        environment.put("OVS_SYSCONFDIR", directory.toString());
        environment.put("OVN_RUNDIR", directory.toString());
        environment.put("OVN_DBDIR", directory.toString());
        environment.put("OVN_LOGDIR", directory.toString());
        environment.put("OVN_SYSCONFDIR", directory.toString());
        this.commands = new Commands(environment);
        this.shutdownHook = new Thread(this::closeQuietly, "ovn-stack-" + prefix + "-cleanup");
    }

    /** The default parent of stack directories: {@code ovnk.stack.root}, else the temporary directory. */
    static Path defaultRoot() {
        String configured = System.getProperty("ovnk.stack.root");
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("java.io.tmpdir"), "ovnk-stacks");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A standalone OVN_Northbound ovsdb-server, nothing else. */
    public static OvnStack northboundOnly() {
        return builder().northbound().start();
    }

    /** NB, SB, ovn-northd and one chassis. */
    public static OvnStack singleChassis() {
        return builder().northbound().southbound().chassis(1).start();
    }

    /** NB, SB, ovn-northd and two chassis joined by Geneve over their own underlay. */
    public static OvnStack twoChassis() {
        return builder().northbound().southbound().chassis(2).start();
    }

    /** A three-member RAFT OVN_Northbound, nothing else. */
    public static OvnStack raftNorthbound() {
        return builder().raftNorthbound(3).start();
    }

    /** What to start. Each call adds a part; {@link #start()} starts them in dependency order. */
    public static final class Builder {
        private boolean northbound;
        private int raftMembers;
        private boolean southbound;
        private int chassisCount;
        private boolean chassisInRootNamespace;
        private boolean chassisUnconfigured;
        private Path root;
        private Path directory;
        private Pki pki;

        public Builder northbound() {
            this.northbound = true;
            return this;
        }

        public Builder raftNorthbound(int members) {
            if (members < 1) {
                throw new IllegalArgumentException("a RAFT cluster needs at least one member, not " + members);
            }
            this.raftMembers = members;
            return this;
        }

        /** SB and ovn-northd (a Northbound is started too). */
        public Builder southbound() {
            this.southbound = true;
            return this;
        }

        public Builder chassis(int count) {
            if (count < 0 || count > 200) {
                throw new IllegalArgumentException("chassis count " + count + " is not within 0..200");
            }
            this.chassisCount = count;
            return this;
        }

        /**
         * Runs the (single) chassis's ovs-vswitchd in the machine's own network namespace, as on a real node,
         * for code that plugs interfaces from this JVM's namespace. Only one such stack can run at a time.
         */
        public Builder chassisInRootNamespace() {
            this.chassisInRootNamespace = true;
            return this;
        }

        /**
         * Leaves each chassis's OVN configuration to the code under test (a node agent): its Open_vSwitch row
         * gets no {@code external_ids} (no system-id, hostname, ovn-remote, ovn-encap-*), no {@code br-int} is
         * created, and {@link #start()} does not wait for the chassis to register in the Southbound. The daemons
         * (ovsdb-server, ovs-vswitchd in its namespace, ovn-controller) run as usual; ovn-controller waits until
         * its configuration appears.
         */
        public Builder chassisUnconfigured() {
            this.chassisUnconfigured = true;
            return this;
        }

        /**
         * The standalone NB and SB also listen on {@code pssl:} (a free port of 127.0.0.1, {@link Database#sslRemote()}),
         * started with {@code --private-key}, {@code --certificate} and {@code --ca-cert} of a server identity the
         * PKI signs: clients must present a certificate of the same CA, as in an OVN deployment with ovs-pki.
         */
        public Builder ssl(Pki pki) {
            this.pki = pki;
            return this;
        }

        /** The parent of the stack's directory (default {@code ovnk.stack.root} or the temporary directory). */
        public Builder root(Path root) {
            this.root = root;
            return this;
        }

        /** Exactly this directory (emptied first), for a stack with a well-known place such as the sandbox. */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        public OvnStack start() {
            if (chassisCount > 0 && !southbound) {
                throw new IllegalArgumentException("chassis need a Southbound: add southbound()");
            }
            if (southbound && raftMembers > 0) {
                throw new IllegalArgumentException("a Southbound with a RAFT Northbound is not supported yet");
            }
            if (chassisInRootNamespace && chassisCount != 1) {
                throw new IllegalArgumentException("only a single chassis can run in the root namespace");
            }
            if (southbound) {
                northbound = true;
            }
            if (northbound && raftMembers > 0) {
                throw new IllegalArgumentException("choose northbound() or raftNorthbound(n), not both");
            }
            java.util.Optional<String> missing = Prerequisites.missing();
            if (missing.isPresent()) {
                throw new IllegalStateException("cannot run an OVN stack here: " + missing.get());
            }
            // a stack in a fixed directory (the sandbox) may have been left by a killed JVM: reap before reuse
            Reaper.reapOrphans(directory != null ? directory.toAbsolutePath().getParent() : root != null ? root : defaultRoot());
            OvnStack stack = new OvnStack(this);
            Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
            try {
                stack.startAll();
            } catch (RuntimeException | Error e) {
                stack.closeQuietly();
                throw e;
            }
            return stack;
        }
    }

    private void startAll() {
        if (settings.northbound) {
            northbound = startDatabase("nb", "OVN_Northbound", Prerequisites.NB_SCHEMA);
            nbctl("init");
        }
        if (settings.raftMembers > 0) {
            startRaft(settings.raftMembers);
        }
        if (settings.southbound) {
            southbound = startDatabase("sb", "OVN_Southbound", Prerequisites.SB_SCHEMA);
            sbctl("init");
            central.add(Daemon.start("northd", "ovn-northd", List.of("ovn-northd", "--no-chdir",
                    "--ovnnb-db=" + northbound.unixRemote(), "--ovnsb-db=" + southbound.unixRemote(),
                    "--pidfile=" + directory.resolve("northd.pid"), "--log-file=" + directory.resolve("northd.log"),
                    "--unixctl=" + directory.resolve("northd.ctl")), Map.of(), directory, record, List.of(),
                    pid -> directory.resolve("northd.ctl")));
        }
        if (settings.chassisCount > 1) {
            String underlay = prefix + "-ul";
            Namespaces.create(underlay, commands, record);
            namespaces.add(underlay);
            commands.run("ip", "-n", underlay, "link", "add", "ulbr", "type", "bridge");
            commands.run("ip", "-n", underlay, "link", "set", "ulbr", "up");
        }
        for (int i = 1; i <= settings.chassisCount; i++) {
            chassis.add(startChassis(i));
        }
        for (Chassis c : settings.chassisUnconfigured ? List.<Chassis>of() : chassis) {
            try {
                sbctl("wait-until", "Chassis", c.name());
            } catch (CommandException e) {
                c.controller.requireAlive();
                c.vswitchd.requireAlive();
                throw e;
            }
        }
    }

    /** A standalone database on a unix socket and a free TCP port of 127.0.0.1. */
    private Database startDatabase(String name, String schemaName, Path schema) {
        Path file = directory.resolve(name + ".db");
        commands.run("ovsdb-tool", "create", file.toString(), schema.toString());
        Path socket = directory.resolve(name + ".sock");
        int sslPort = settings.pki != null ? freePort() : 0;
        Daemon daemon = Daemon.start(name, "ovsdb-server", serverCommand(name, schemaName, socket, 0, sslPort), Map.of(),
                directory, record, List.of(), pid -> directory.resolve(name + ".ctl"));
        central.add(daemon);
        databaseServers.put(schemaName, daemon);
        awaitDatabase(socket, schemaName, daemon);
        return new Database(schemaName, socket, boundPort(directory.resolve(name + ".log"), daemon, sslPort), sslPort);
    }

    /**
     * A standalone database's server: unix socket, TCP ({@code ptcp:0} at first start, the same port at a restart),
     * remotes and TLS from the database (set-connection, set-ssl) as ovn-ctl starts it, or with {@code ssl(pki)}
     * a {@code pssl:} remote and the server's key, certificate and CA given on the command line.
     */
    private List<String> serverCommand(String name, String schemaName, Path socket, int tcpPort, int sslPort) {
        List<String> command = new ArrayList<>(List.of("ovsdb-server", directory.resolve(name + ".db").toString(),
                "--no-chdir", "--pidfile=" + directory.resolve(name + ".pid"),
                "--log-file=" + directory.resolve(name + ".log"), "--unixctl=" + directory.resolve(name + ".ctl"),
                "--remote=punix:" + socket, "--remote=ptcp:" + tcpPort + ":127.0.0.1",
                "--remote=db:" + schemaName + "," + globalTable(schemaName) + ",connections"));
        if (sslPort != 0) {
            Pki.Identity server = serverIdentity();
            command.addAll(List.of("--remote=pssl:" + sslPort + ":127.0.0.1", "--private-key=" + server.privateKey(),
                    "--certificate=" + server.certificate(), "--ca-cert=" + settings.pki.caCertificate()));
        } else {
            command.addAll(List.of("--private-key=db:" + schemaName + ",SSL,private_key",
                    "--certificate=db:" + schemaName + ",SSL,certificate", "--ca-cert=db:" + schemaName + ",SSL,ca_cert"));
        }
        return command;
    }

    private Pki.Identity serverIdentity() {
        if (serverIdentity == null) {
            serverIdentity = settings.pki.sign("ovsdb-server-" + prefix);
        }
        return serverIdentity;
    }

    /** SIGKILLs the server of a standalone database (NB or SB), as a crash would. */
    public synchronized void kill(Database database) {
        server(database).kill();
    }

    /**
     * Starts the server of a standalone database again on the same file, unix socket and TCP port, and returns
     * once it serves. The database must have been stopped ({@link #kill}).
     */
    public synchronized void restart(Database database) {
        Daemon old = server(database);
        if (old.alive()) {
            throw new IllegalStateException(database.name() + " still runs (pid " + old.pid() + ")");
        }
        String name = old.name();
        Daemon daemon = Daemon.start(name, "ovsdb-server", serverCommand(name, database.name(), database.socket(),
                database.tcpPort(), database.sslPort()), Map.of(), directory, record, List.of(),
                pid -> directory.resolve(name + ".ctl"));
        central.set(central.indexOf(old), daemon);
        databaseServers.put(database.name(), daemon);
        awaitDatabase(database.socket(), database.name(), daemon);
    }

    private Daemon server(Database database) {
        Daemon daemon = databaseServers.get(database.name());
        if (daemon == null) {
            throw new IllegalArgumentException(database.name() + " is not a standalone database of this stack");
        }
        return daemon;
    }

    private static String globalTable(String schemaName) {
        return schemaName.equals("OVN_Southbound") ? "SB_Global" : "NB_Global";
    }

    /** A TCP port on 127.0.0.1 that is free now, for remotes a test adds itself (e.g. ovn-nbctl set-connection). */
    public static int freePort() {
        return freePorts(1)[0];
    }

    /** ovsdb-client wait: returns as soon as the server serves the database (no polling on our side). */
    private void awaitDatabase(Path socket, String schemaName, Daemon daemon) {
        try {
            commands.run(Duration.ofSeconds(30), List.of("ovsdb-client", "--timeout=30", "wait", "unix:" + socket,
                    schemaName, "connected"));
        } catch (CommandException e) {
            daemon.requireAlive();
            throw e;
        }
    }

    /**
     * The port ovsdb-server chose for ptcp:0, from the line it logs while binding (before it serves); the pssl:
     * remote's line, if any, names the port it was given.
     */
    private static int boundPort(Path log, Daemon daemon, int sslPort) {
        try {
            Matcher matcher = LISTENING.matcher(Files.readString(log));
            while (matcher.find()) {
                int port = Integer.parseInt(matcher.group(1));
                if (port != sslPort) {
                    return port;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException(daemon + " serves but logged no TCP port; see " + log);
    }

    private void startRaft(int size) {
        List<RaftCluster.Member> members = new ArrayList<>();
        List<Supplier<Daemon>> starters = new ArrayList<>();
        int[] ports = freePorts(2 * size);
        for (int i = 0; i < size; i++) {
            Path file = directory.resolve("nb" + (i + 1) + ".db");
            Database database = new Database("OVN_Northbound", directory.resolve("nb" + (i + 1) + ".sock"), ports[2 * i]);
            members.add(new RaftCluster.Member(i, file, database, ports[2 * i + 1]));
        }
        String first = "tcp:127.0.0.1:" + members.get(0).raftPort();
        commands.run("ovsdb-tool", "create-cluster", members.get(0).file().toString(),
                Prerequisites.NB_SCHEMA.toString(), first);
        for (RaftCluster.Member member : members.subList(1, size)) {
            commands.run("ovsdb-tool", "join-cluster", member.file().toString(), "OVN_Northbound",
                    "tcp:127.0.0.1:" + member.raftPort(), first);
        }
        for (RaftCluster.Member member : members) {
            String name = "nb" + (member.index() + 1);
            starters.add(() -> Daemon.start(name, "ovsdb-server", List.of("ovsdb-server",
                    member.file().toString(), "--no-chdir", "--pidfile=" + directory.resolve(name + ".pid"),
                    "--log-file=" + directory.resolve(name + ".log"), "--unixctl=" + directory.resolve(name + ".ctl"),
                    "--remote=punix:" + member.database().socket(),
                    "--remote=ptcp:" + member.database().tcpPort() + ":127.0.0.1"), Map.of(), directory, record,
                    List.of(), pid -> directory.resolve(name + ".ctl")));
            member.daemon(starters.get(member.index()).get());
        }
        raft = new RaftCluster(members, commands, starters);
        for (RaftCluster.Member member : members) {
            awaitDatabase(member.database().socket(), "OVN_Northbound", member.daemon());
        }
        raft.awaitLeader(Duration.ofSeconds(30));
        nbctl("init");
    }

    private Chassis startChassis(int index) {
        String name = "node" + index;
        Path home = directory.resolve(name);
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String namespace = settings.chassisInRootNamespace ? null : prefix + "-c" + index;
        if (namespace != null) {
            Namespaces.create(namespace, commands, record);
            namespaces.add(namespace);
        }
        boolean tunnels = settings.chassisCount > 1;
        String encapIp = tunnels ? "172.31.255." + index : "127.0.0.1";
        Map<String, String> environment = Map.of("OVS_RUNDIR", home.toString(), "OVN_RUNDIR", home.toString());
        Commands local = new Commands(environment);

        Path file = home.resolve("conf.db");
        local.run("ovsdb-tool", "create", file.toString(), Prerequisites.VSWITCH_SCHEMA.toString());
        Path socket = home.resolve("db.sock");
        Daemon ovsdb = Daemon.start(name + "/ovsdb-server", "ovsdb-server", List.of("ovsdb-server", file.toString(),
                "--no-chdir", "--pidfile=" + home.resolve("ovsdb-server.pid"),
                "--log-file=" + home.resolve("ovsdb-server.log"), "--unixctl=" + home.resolve("ovsdb-server.ctl"),
                "--remote=punix:" + socket, "--remote=db:Open_vSwitch,Open_vSwitch,manager_options"), environment,
                directory, record, List.of(), pid -> home.resolve("ovsdb-server.ctl"));
        awaitDatabase(socket, "Open_vSwitch", ovsdb);
        Database database = new Database("Open_vSwitch", socket, 0);
        String vsctl = "--db=" + database.unixRemote();
        local.run("ovs-vsctl", vsctl, "--no-wait", "init");
        if (settings.chassisUnconfigured) {
            local.run("ovs-vsctl", vsctl, "--no-wait", "set", "Open_vSwitch", ".", "other_config:hw-offload=false");
        } else {
            local.run("ovs-vsctl", vsctl, "--no-wait", "set", "Open_vSwitch", ".", "other_config:hw-offload=false",
                    "external_ids:system-id=" + name, "external_ids:hostname=" + name,
                    "external_ids:ovn-remote=" + southbound.tcpRemote(), "external_ids:ovn-encap-type=geneve",
                    "external_ids:ovn-encap-ip=" + encapIp, "external_ids:ovn-bridge-datapath-type=netdev");
        }

        List<String> vswitchd = new ArrayList<>();
        if (namespace != null) {
            vswitchd.addAll(List.of("ip", "netns", "exec", namespace));
        }
        vswitchd.addAll(List.of("ovs-vswitchd", database.unixRemote(), "--no-chdir",
                "--pidfile=" + home.resolve("ovs-vswitchd.pid"), "--log-file=" + home.resolve("ovs-vswitchd.log"),
                "--unixctl=" + home.resolve(name + "-vswitchd.ctl")));
        Daemon switchd = Daemon.start(name + "-vswitchd", "ovs-vswitchd", vswitchd, environment, home, record,
                List.of("ovs-appctl", "exit", "--cleanup"), pid -> home.resolve(name + "-vswitchd.ctl"));
        // br-int before ovn-controller: otherwise it backs off for a second connecting to br-int.mgmt.
        // This also waits for ovs-vswitchd: without --no-wait, ovs-vsctl returns once the bridge exists.
        try {
            if (!settings.chassisUnconfigured) {
                local.run("ovs-vsctl", "--timeout=30", vsctl, "--may-exist", "add-br", "br-int", "--", "set", "Bridge",
                        "br-int", "datapath_type=netdev", "fail_mode=secure", "other_config:disable-in-band=true");
            }
        } catch (CommandException e) {
            switchd.requireAlive();
            throw e;
        }
        if (tunnels) {
            String uplink = "u" + index;
            commands.run("ip", "link", "add", uplink, "netns", namespace, "type", "veth", "peer", "name",
                    uplink + "p", "netns", prefix + "-ul");
            commands.run("ip", "-n", prefix + "-ul", "link", "set", uplink + "p", "master", "ulbr", "up");
            commands.run("ip", "-n", namespace, "link", "set", uplink, "up");
            local.run("ovs-vsctl", "--timeout=30", vsctl, "add-br", "br-phy", "--", "set", "Bridge", "br-phy",
                    "datapath_type=netdev", String.format("other_config:hwaddr=02:00:ac:1f:ff:%02x", index), "--",
                    "add-port", "br-phy", uplink);
            commands.run("ip", "-n", namespace, "addr", "add", encapIp + "/24", "dev", "br-phy");
            commands.run("ip", "-n", namespace, "link", "set", "br-phy", "up");
        }
        Daemon controller = Daemon.start(name + "-controller", "ovn-controller", List.of("ovn-controller",
                database.unixRemote(), "--no-chdir", "--pidfile=" + home.resolve("ovn-controller.pid"),
                "--log-file=" + home.resolve("ovn-controller.log")), environment, home, record,
                List.of("ovn-appctl", "exit"), pid -> home.resolve("ovn-controller." + pid + ".ctl"));
        return new Chassis(name, encapIp, namespace, home, database, local, ovsdb, switchd, controller);
    }

    /** Free TCP ports on 127.0.0.1 for servers that must be told their port up front (RAFT members). */
    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // released either way
                }
            }
        }
    }

    public Path directory() {
        return directory;
    }

    public Commands commands() {
        return commands;
    }

    /** The standalone Northbound (unix socket and TCP). */
    public Database northbound() {
        if (northbound == null) {
            throw new IllegalStateException("this stack has no standalone Northbound");
        }
        return northbound;
    }

    public RaftCluster raft() {
        if (raft == null) {
            throw new IllegalStateException("this stack has no RAFT Northbound");
        }
        return raft;
    }

    public Database southbound() {
        if (southbound == null) {
            throw new IllegalStateException("this stack has no Southbound");
        }
        return southbound;
    }

    public List<Chassis> chassis() {
        return List.copyOf(chassis);
    }

    public Chassis chassis(int index) {
        return chassis.get(index);
    }

    /** ovn-nbctl against this stack's Northbound (all RAFT members, leader first). */
    public String nbctl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ovn-nbctl", "--timeout=30",
                "--db=" + (raft != null ? raft.remotes() : northbound.unixRemote())));
        command.addAll(List.of(arguments));
        return commands.run(Commands.DEFAULT_TIMEOUT, command);
    }

    public String sbctl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ovn-sbctl", "--timeout=30", "--db=" + southbound().unixRemote()));
        command.addAll(List.of(arguments));
        return commands.run(Commands.DEFAULT_TIMEOUT, command);
    }

    /** A new pod namespace (not yet plugged), deleted with the stack. */
    public Pod createPod(String name) {
        String namespace = prefix + "-p" + (pods.size() + 1);
        Namespaces.create(namespace, commands, record);
        // host-side veth names must fit in 15 characters and not clash between stacks on one machine
        Pod pod = new Pod(name, namespace, prefix + "h" + (pods.size() + 1), commands);
        pods.add(pod);
        return pod;
    }

    /**
     * A "VM" on a chassis: a namespace plugged into its br-int as the ordinary logical port {@code logicalPort}
     * (which must exist in NB with {@code mac} and the address of {@code cidr}), running its own OVS with bridge
     * {@code br-guest} that trunks the VM's NIC; stopped and deleted with the stack. See {@link GuestVm}.
     */
    public synchronized GuestVm createVm(Chassis chassis, String name, String logicalPort, String mac, String cidr,
            String gateway) {
        int index = vms.size() + 1;
        GuestVm vm = GuestVm.start(chassis, name, prefix + "-vm" + index, prefix + "v" + index,
                directory.resolve("vm" + index), logicalPort, mac, cidr, gateway, commands, record);
        vms.add(vm);
        return vm;
    }

    /**
     * For a caller that closes the stack from its own JVM shutdown hook, after what runs on the stack has stopped:
     * the stack's own hook is removed, because JVM shutdown hooks run concurrently and it would stop the daemons
     * under that still running code. The next stack still reaps what a killed JVM leaves.
     */
    public void closedByCallerOnShutdown() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // already shutting down: the hooks have started
        }
    }

    /** Every daemon of the stack, running or not. */
    public List<Daemon> daemons() {
        List<Daemon> all = new ArrayList<>(central);
        if (raft != null) {
            all.addAll(raft.daemons());
        }
        for (Chassis c : chassis) {
            all.add(c.controller);
            all.add(c.vswitchd);
            all.add(c.ovsdbServer);
        }
        return all;
    }

    /** Every network namespace the stack made (chassis, underlay, pods, VMs). */
    public List<String> namespaces() {
        List<String> all = new ArrayList<>(namespaces);
        pods.forEach(pod -> all.add(pod.namespace()));
        vms.forEach(vm -> all.add(vm.namespace()));
        return all;
    }

    /**
     * Stops everything: pods, then per chassis ovn-controller, ovs-vswitchd (exit --cleanup removes its
     * tap devices) and its database, then northd and the central databases; then deletes the namespaces.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        for (GuestVm vm : vms) {
            attempt(failures, vm::stop);
        }
        for (Pod pod : pods) {
            attempt(failures, () -> Namespaces.delete(pod.namespace(), commands));
        }
        for (Chassis c : chassis) {
            attempt(failures, () -> c.controller.stop(commands));
            attempt(failures, () -> c.vswitchd.stop(commands));
            attempt(failures, () -> c.ovsdbServer.stop(commands));
        }
        for (int i = central.size() - 1; i >= 0; i--) {
            Daemon daemon = central.get(i);
            attempt(failures, () -> daemon.stop(commands));
        }
        if (raft != null) {
            attempt(failures, raft::stop);
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            String namespace = namespaces.get(i);
            attempt(failures, () -> Namespaces.delete(namespace, commands));
        }
        // whatever a failure above left: the recorded PIDs and namespaces, checked once more
        attempt(failures, () -> Reaper.cleanup(record, commands));
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("ovn-stack " + directory + ": cleanup incomplete: " + e.getMessage());
        }
    }

    private static void attempt(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }

    private static void deleteTree(Path path) throws IOException {
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
