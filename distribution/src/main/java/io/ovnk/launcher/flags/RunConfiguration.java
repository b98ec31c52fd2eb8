package io.ovnk.launcher.flags;

import io.ovnk.launcher.LaunchException;
import io.ovnk.launcher.LaunchSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What the flags of one run make of ovnk: the roles, mode and features to start, the logging, and the
 * configuration keys they set. Flags never touch {@code etc/}: their keys are a layer for this run only,
 * {@link #flags()} over the {@code etc/} files and {@link #implied()} (what a flag needs but does not say, such
 * as the local Open_vSwitch database of a node) under them.
 *
 * @param settings the roles, mode and features to start
 * @param settingsOrigin the flags that chose roles, mode or features (empty: all from etc/io.ovnk.launcher.cfg)
 * @param launcherOrigins for {@code roles}, {@code mode} and {@code features}: the flags that chose them, if any
 * @param logLevel the logback level of the io.ovnk loggers ({@code DEBUG}), when -loglevel says
 * @param logFile the log file, when -logfile says
 * @param flags keys laid over etc/ for this run
 * @param implied keys laid under etc/ for this run
 * @param unused flags accepted but without a target in this run, each with the reason
 * @param printConfig --print-config was given
 * @param help --help was given
 */
public record RunConfiguration(LaunchSettings settings, List<String> settingsOrigin,
        Map<String, List<String>> launcherOrigins, Optional<String> logLevel,
        Optional<Path> logFile, List<Setting> flags, List<Setting> implied, List<String> unused, boolean printConfig,
        boolean help) {

    public static final String OVS_DEFAULT_REMOTE = "unix:/var/run/openvswitch/db.sock";

    public RunConfiguration {
        settingsOrigin = List.copyOf(settingsOrigin);
        launcherOrigins = Map.copyOf(launcherOrigins);
        flags = List.copyOf(flags);
        implied = List.copyOf(implied);
        unused = List.copyOf(unused);
    }

    /** What a run without flags is. */
    public static RunConfiguration of(LaunchSettings settings) {
        return new RunConfiguration(settings, List.of(), Map.of(), Optional.empty(), Optional.empty(), List.of(), List.of(),
                List.of(), false, false);
    }

    /** True when flags set configuration keys (then the runtime is handed the layer). */
    public boolean hasLayer() {
        return !flags.isEmpty() || !implied.isEmpty();
    }

    /** What flags take from this host when they do not say: ovn-kubernetes takes the same. */
    public interface Host {
        /** This host's address on its route to a host (a node's tunnel endpoint). */
        Optional<String> addressTowards(String host);

        /** The interface of the default route (a node gateway's uplink). */
        Optional<String> defaultRouteInterface();
    }

    /** Reads what is already configured in etc/ ({@code pid}, {@code key}), to check flags against it. */
    @FunctionalInterface
    public interface EtcLookup {
        Optional<String> value(String pid, String key);
    }

    /**
     * @param given the flags as parsed
     * @param etc the launcher settings of etc/io.ovnk.launcher.cfg
     * @param etcLookup what etc/ files configure
     * @param host what this host's routes say, for what flags leave out
     * @param workingDirectory relative file names in flags are relative to it (where bin/ovnkube was called)
     * @throws LaunchException naming the flag: a malformed value or a contradiction
     */
    public static RunConfiguration build(List<Flag.Given> given, LaunchSettings etc, EtcLookup etcLookup,
            Host host, Path workingDirectory) throws LaunchException {
        return new Builder(given, etcLookup, workingDirectory).build(etc, host);
    }

    private static final class Builder {
        private final Map<Flag, Flag.Given> byFlag = new LinkedHashMap<>();
        private final EtcLookup etcLookup;
        private final Path workingDirectory;
        private final Map<String, Setting> over = new LinkedHashMap<>();
        private final Map<String, Setting> under = new LinkedHashMap<>();
        private final List<String> unused = new ArrayList<>();

        Builder(List<Flag.Given> given, EtcLookup etcLookup, Path workingDirectory) throws LaunchException {
            this.etcLookup = etcLookup;
            this.workingDirectory = workingDirectory;
            for (Flag.Given occurrence : given) {
                Flag.Given earlier = byFlag.putIfAbsent(occurrence.flag(), occurrence);
                if (earlier != null && !earlier.value().equals(occurrence.value())) {
                    throw new LaunchException(occurrence.written() + ": given twice with different values: "
                            + earlier.written() + "=" + shown(earlier) + " and " + occurrence.written() + "="
                            + shown(occurrence));
                }
            }
        }

        RunConfiguration build(LaunchSettings etc, Host hostFacts) throws LaunchException {
            // roles: flags name them, or etc/ does
            List<String> chosenBy = new ArrayList<>();
            List<String> roleFlags = new ArrayList<>();
            Set<String> roles = new LinkedHashSet<>();
            String identity = null;
            Flag.Given identityFlag = null;
            for (Flag flag : List.of(Flags.INIT_MASTER, Flags.NET_CONTROLLER, Flags.INIT_CLUSTER_MANAGER,
                    Flags.INIT_OVNKUBE_CONTROLLER)) {
                Flag.Given g = byFlag.get(flag);
                if (g == null || (flag.isBoolean() && !FlagValues.bool(g.value()))) {
                    continue;
                }
                roles.add(Flags.MASTER);
                chosenBy.add(g.written());
                roleFlags.add(g.written());
                if (!flag.isBoolean()) {
                    String name = check(g, FlagValues::nodeName);
                    if (identity != null && !identity.equals(name)) {
                        throw new LaunchException(g.written() + ": \"" + name + "\" contradicts " + identityFlag.written()
                                + " \"" + identity + "\" (both name this master)");
                    }
                    identity = name;
                    identityFlag = g;
                }
            }
            Flag.Given initNode = byFlag.get(Flags.INIT_NODE);
            String nodeName = null;
            if (initNode != null) {
                nodeName = check(initNode, FlagValues::nodeName);
                roles.add(Flags.NODE);
                chosenBy.add(initNode.written());
                roleFlags.add(initNode.written());
            }
            List<String> roleList = roles.isEmpty() ? etc.roles()
                    : List.of(Flags.MASTER, Flags.NODE).stream().filter(roles::contains).toList();
            Flag.Given modeFlag = byFlag.get(Flags.MODE);
            String mode = etc.mode();
            if (modeFlag != null) {
                mode = check(modeFlag, v -> FlagValues.choice(v, List.of("overlay", "underlay")));
                chosenBy.add(modeFlag.written());
            }
            List<String> features = new ArrayList<>(etc.extraFeatures());
            Flag.Given gatewayBy = gateway();
            if (gatewayBy != null) {
                if (!features.contains("gateway")) {
                    features.add("gateway");
                }
                chosenBy.add(gatewayBy.written());
            }
            boolean master = roleList.contains(Flags.MASTER);
            boolean node = roleList.contains(Flags.NODE);
            boolean overlay = mode.equals("overlay");

            // Kubernetes
            Flag.Given apiServer = byFlag.get(Flags.K8S_APISERVER);
            set(Flags.K8S_APISERVER, "io.ovnk.kube", "api.server", FlagValues::url);
            set(Flags.K8S_KUBECONFIG, "io.ovnk.kube", "kubeconfig", this::file);
            set(Flags.K8S_TOKEN, "io.ovnk.kube", "token", v -> {
                if (v.isBlank()) {
                    throw new IllegalArgumentException("is empty");
                }
                return v;
            });
            set(Flags.K8S_TOKEN_FILE, "io.ovnk.kube", "token.file", this::file);
            set(Flags.K8S_CACERT, "io.ovnk.kube", "ca.file", this::file);
            if (identity != null) {
                put(over, new Setting("io.ovnk.kube.leader", "identity", identity, origin(identityFlag)));
            }

            // the node
            if (initNode != null) {
                if (overlay) {
                    put(over, new Setting("io.ovnk.overlay.node", "node.name", nodeName, origin(initNode)));
                    put(under, new Setting("io.ovnk.ovsdb.connection~ovs", "database", "Open_vSwitch", origin(initNode)));
                    put(under, new Setting("io.ovnk.ovsdb.connection~ovs", "remotes", OVS_DEFAULT_REMOTE,
                            origin(initNode)));
                    if (!byFlag.containsKey(Flags.ENCAP_IP) && apiServer != null) {
                        String host = URI.create(apiServer.value()).getHost().replaceAll("^\\[|]$", "");
                        Optional<String> address = hostFacts.addressTowards(host);
                        if (address.isPresent()) {
                            put(under, new Setting("io.ovnk.overlay.node", "encap.ip", address.get(), origin(initNode)));
                        }
                    }
                } else {
                    // the node inside a VM: its name is all the underlay node needs from a flag; how it plumbs (the
                    // strategy, the VM's NIC, its OVS) stays in etc/io.ovnk.underlay.node.cfg and the defaults
                    put(over, new Setting("io.ovnk.underlay.node", "node.name", nodeName, origin(initNode)));
                }
                if (!master) {
                    put(over, new Setting("io.ovnk.kube.informers", "pod.node", nodeName, origin(initNode)));
                }
            }
            // an overlay node is configured where it has a name: from -init-node or etc/
            boolean nodeConfigured = node && overlay
                    && (nodeName != null || etcLookup.value("io.ovnk.overlay.node", "node.name").isPresent());
            Flag.Given needsNode = firstGiven(Flags.ENCAP_IP, Flags.ENCAP_TYPE, Flags.MTU);
            if (node && overlay && !nodeConfigured && needsNode != null) {
                throw new LaunchException(needsNode.written() + ": the node role needs a node name: give -init-node "
                        + "NODE (or node.name in etc/io.ovnk.overlay.node.cfg)");
            }
            String noNode = node && overlay ? "the overlay node has no name in this run" : "no node role in overlay mode in this run";
            if (nodeConfigured) {
                set(Flags.ENCAP_IP, "io.ovnk.overlay.node", "encap.ip", FlagValues::ip);
                set(Flags.ENCAP_TYPE, "io.ovnk.overlay.node", "encap.type",
                        v -> FlagValues.choice(v, List.of("geneve", "vxlan")));
                set(Flags.MTU, "io.ovnk.overlay.node", "mtu", v -> mtu(v));
            } else {
                check(Flags.ENCAP_IP, FlagValues::ip);
                check(Flags.ENCAP_TYPE, v -> FlagValues.choice(v, List.of("geneve", "vxlan")));
                notUsed(Flags.ENCAP_IP, noNode);
                notUsed(Flags.ENCAP_TYPE, noNode);
            }
            gatewayNode(gatewayBy, nodeConfigured, nodeName, initNode, hostFacts);
            if (node) {
                set(Flags.MTU, "io.ovnk.cni", "mtu", v -> mtu(v));
                set(Flags.CNI_CONF_DIR, "io.ovnk.cni", "conf.dir", this::file);
            } else {
                check(Flags.MTU, v -> mtu(v));
                notUsed(Flags.MTU, "no node role in this run");
                notUsed(Flags.CNI_CONF_DIR, "no node role in this run");
            }
            // the seed's -ha rebuilt the Northbound when the master's address changed; ovnk's masters always elect a
            // leader through a Lease and every term rebuilds what it owns, so the flag has nothing left to switch on
            if (Boolean.TRUE.equals(check(Flags.HA, FlagValues::bool))) {
                notUsed(Flags.HA, "masters always elect a leader through a Lease (io.ovnk.kube.leader) and every "
                        + "new leader rebuilds the Northbound it owns; nothing to set");
            }

            // subnets: the master's IPAM allocates from them, an overlay node routes them
            for (Flag flag : List.of(Flags.CLUSTER_SUBNETS, Flags.SERVICE_CIDRS)) {
                boolean cluster = flag == Flags.CLUSTER_SUBNETS;
                String key = cluster ? "cluster.subnets" : "service.cidrs";
                Function<String, Object> cidrs = v -> each(v, item -> FlagValues.cidr(item, cluster));
                check(flag, cidrs);
                if (master) {
                    setObject(flag, "io.ovnk.ipam", key, cidrs);
                }
                if (nodeConfigured) {
                    setObject(flag, "io.ovnk.overlay.node", key, cidrs);
                }
                if (!master && !nodeConfigured) {
                    notUsed(flag, node && overlay ? noNode : "neither a master nor an overlay node in this run");
                }
            }

            // OVN databases
            ovsdb(Flags.NB_ADDRESS, "nb", "OVN_Northbound", master, false, List.of(Flags.NB_PRIVKEY, Flags.NB_CERT,
                    Flags.NB_CACERT), "the node role does not use the OVN Northbound");
            ovsdb(Flags.SB_ADDRESS, "sb", "OVN_Southbound", master, nodeConfigured, List.of(Flags.SB_PRIVKEY,
                    Flags.SB_CERT, Flags.SB_CACERT), node && overlay ? noNode : "no master or overlay node in this run");
            if (nodeConfigured) {
                setObject(Flags.SB_ADDRESS, "io.ovnk.overlay.node", "sb.remotes", v -> String.join(",", addresses(v)));
            }

            // logging
            Flag.Given loglevel = byFlag.get(Flags.LOGLEVEL);
            Optional<String> level = loglevel == null ? Optional.empty()
                    : Optional.of(logbackLevel(checkInt(loglevel, 0, Integer.MAX_VALUE)));
            Optional<Path> logFile = Optional.empty();
            Flag.Given logfile = byFlag.get(Flags.LOGFILE);
            if (logfile != null) {
                Path file = Path.of(check(logfile, this::file));
                if (Files.isDirectory(file)) {
                    throw new LaunchException(logfile.written() + ": \"" + logfile.value() + "\" is a directory, not a file");
                }
                logFile = Optional.of(file);
            }
            boolean printConfig = flagSet(Flags.PRINT_CONFIG);
            boolean help = flagSet(Flags.HELP);
            LaunchSettings settings = new LaunchSettings(roleList, mode, features);
            Map<String, List<String>> launcherOrigins = new LinkedHashMap<>();
            launcherOrigins.put("roles", chosenBy.stream().filter(f -> roleFlags.contains(f)).toList());
            launcherOrigins.put("mode", modeFlag == null ? List.of() : List.of(modeFlag.written()));
            launcherOrigins.put("features", gatewayBy == null ? List.of() : List.of(gatewayBy.written()));
            launcherOrigins.values().removeIf(List::isEmpty);
            return new RunConfiguration(settings, chosenBy, launcherOrigins, level, logFile, List.copyOf(over.values()),
                    List.copyOf(under.values()), unused, printConfig, help);
        }

        /** The flag that adds the gateway feature, if any (-init-gateways before -nodeport); refuses local mode. */
        private Flag.Given gateway() throws LaunchException {
            Flag.Given local = byFlag.get(Flags.GATEWAY_LOCAL);
            if (local != null && FlagValues.bool(local.value())) {
                throw new LaunchException(local.written() + ": the local gateway mode is not supported: ovnk's gateway "
                        + "is the shared mode (-gateway-mode shared)");
            }
            Flag.Given mode = byFlag.get(Flags.GATEWAY_MODE);
            if (mode != null) {
                String value = check(mode, v -> v.isEmpty() ? v : FlagValues.choice(v, List.of("shared", "local")));
                if (value.equals("local")) {
                    throw new LaunchException(mode.written() + ": \"local\" is not supported: ovnk's gateway is the "
                            + "shared mode");
                }
                if (value.equals("shared")) {
                    return mode;
                }
            }
            for (Flag flag : List.of(Flags.INIT_GATEWAYS, Flags.NODEPORT)) {
                if (flagSet(flag)) {
                    return byFlag.get(flag);
                }
            }
            return null;
        }

        /** -init-gateways (or -gateway-mode shared) on a node with a name: the gateway's node side. */
        private void gatewayNode(Flag.Given gatewayBy, boolean nodeConfigured, String nodeName, Flag.Given initNode,
                Host hostFacts) throws LaunchException {
            String pid = "io.ovnk.gateway.node";
            Flag.Given trigger = gatewayBy != null && gatewayBy.flag() != Flags.NODEPORT ? gatewayBy : null;
            check(Flags.GATEWAY_INTERFACE, FlagValues::interfaceName);
            check(Flags.GATEWAY_NEXTHOP, FlagValues::ip);
            check(Flags.GATEWAY_VLANID, v -> FlagValues.integer(v, 0, 4094));
            if (trigger == null || !nodeConfigured) {
                String reason = trigger == null ? "no -init-gateways in this run" : "no named overlay node in this run";
                notUsed(Flags.GATEWAY_INTERFACE, reason);
                notUsed(Flags.GATEWAY_NEXTHOP, reason);
                notUsed(Flags.GATEWAY_VLANID, reason);
                return;
            }
            if (nodeName != null) {
                put(over, new Setting(pid, "node.name", nodeName, origin(initNode)));
            } else {
                // the node's name is in etc/io.ovnk.overlay.node.cfg: the gateway takes the same one for this run
                Optional<String> name = etcLookup.value("io.ovnk.overlay.node", "node.name");
                if (name.isPresent()) {
                    put(under, new Setting(pid, "node.name", name.get(), origin(trigger)));
                }
            }
            Flag.Given uplink = byFlag.get(Flags.GATEWAY_INTERFACE);
            if (uplink != null) {
                put(over, new Setting(pid, "uplink", uplink.value(), origin(uplink)));
            } else {
                Optional<String> defaultInterface = hostFacts.defaultRouteInterface();
                if (defaultInterface.isPresent()) {
                    put(under, new Setting(pid, "uplink", defaultInterface.get(), origin(trigger)));
                } else if (etcLookup.value(pid, "uplink").isEmpty()) {
                    throw new LaunchException(trigger.written() + ": the node gateway needs an uplink and this host has "
                            + "no default route: give -gateway-interface IFACE (or uplink in etc/" + pid + ".cfg)");
                }
            }
            set(Flags.GATEWAY_NEXTHOP, pid, "next.hop", FlagValues::ip);
            set(Flags.GATEWAY_VLANID, pid, "vlan", v -> Integer.toString(FlagValues.integer(v, 0, 4094)));
            // the seed announced NodePorts on a node's gateway only with -nodeport
            Flag.Given nodeport = byFlag.get(Flags.NODEPORT);
            put(over, new Setting(pid, "node.port.enable", String.valueOf(nodeport != null && FlagValues.bool(nodeport.value())),
                    origin(nodeport != null ? nodeport : trigger)));
        }

        private void ovsdb(Flag address, String name, String database, boolean master, boolean usedByNode,
                List<Flag> tls, String notUsedReason) throws LaunchException {
            String pid = "io.ovnk.ovsdb.connection~" + name;
            if (!master) {
                check(address, v -> addresses(v));
                if (!usedByNode) {
                    notUsed(address, notUsedReason);
                }
                for (Flag flag : tls) {
                    notUsed(flag, "no master role in this run");
                }
                return;
            }
            Flag.Given given = byFlag.get(address);
            if (given != null) {
                List<String> remotes = check(given, v -> addresses(v));
                put(over, new Setting(pid, "database", database, origin(given)));
                put(over, new Setting(pid, "remotes", String.join(",", remotes), origin(given)));
            }
            String[] keys = { "private.key", "certificate", "ca.certificate" };
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < tls.size(); i++) {
                set(tls.get(i), pid, keys[i], this::file);
                if (!byFlag.containsKey(tls.get(i)) && etcLookup.value(pid, keys[i]).filter(v -> !v.isBlank()).isEmpty()) {
                    missing.add("-" + tls.get(i).name());
                }
            }
            Flag.Given someTls = firstGiven(tls.toArray(Flag[]::new));
            if (someTls != null && !missing.isEmpty()) {
                throw new LaunchException(someTls.written() + ": the TLS files go together: also give "
                        + String.join(" and ", missing));
            }
            if (given != null && given.value().contains("ssl:") && !missing.isEmpty()) {
                throw new LaunchException(given.written() + ": ssl: addresses need " + String.join(", ", missing)
                        + " (or their keys in etc/" + pid + ".cfg)");
            }
        }

        private List<String> addresses(String value) {
            List<String> remotes = new ArrayList<>();
            for (String item : FlagValues.list(value)) {
                try {
                    remotes.add(FlagValues.ovsdbAddress(item));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("\"" + item + "\" " + e.getMessage(), e);
                }
            }
            Set<String> schemes = new LinkedHashSet<>(remotes.stream().map(FlagValues::scheme).toList());
            if (schemes.size() > 1) {
                throw new IllegalArgumentException("mixes " + String.join(" and ", schemes)
                        + " addresses; all addresses of a database are of one kind");
            }
            return remotes;
        }

        private static List<String> each(String value, Function<String, String> check) {
            List<String> items = new ArrayList<>();
            for (String item : FlagValues.list(value)) {
                try {
                    items.add(check.apply(item));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("\"" + item + "\" " + e.getMessage(), e);
                }
            }
            return items;
        }

        private String file(String value) {
            return workingDirectory.resolve(FlagValues.path(value)).normalize().toString();
        }

        private static String mtu(String value) {
            return Integer.toString(FlagValues.integer(value, 576, 65535));
        }

        private void set(Flag flag, String pid, String key, Function<String, String> check) throws LaunchException {
            setObject(flag, pid, key, check::apply);
        }

        private void setObject(Flag flag, String pid, String key, Function<String, Object> check) throws LaunchException {
            Flag.Given given = byFlag.get(flag);
            if (given != null) {
                put(over, new Setting(pid, key, check(given, check), origin(given)));
            }
        }

        private void notUsed(Flag flag, String reason) {
            Flag.Given given = byFlag.get(flag);
            if (given != null) {
                unused.add(given.written() + " " + shown(given) + ": " + reason);
            }
        }

        private void put(Map<String, Setting> layer, Setting setting) throws LaunchException {
            Setting earlier = layer.putIfAbsent(setting.pid() + "\n" + setting.key(), setting);
            if (earlier != null && !earlier.value().equals(setting.value())) {
                throw new LaunchException(setting.origin().replaceFirst("^flag ", "") + ": contradicts "
                        + earlier.origin().replaceFirst("^flag ", "") + " (" + setting.pid() + " " + setting.key() + ")");
            }
        }

        private Flag.Given firstGiven(Flag... flags) {
            for (Flag.Given given : byFlag.values()) {
                if (List.of(flags).contains(given.flag())) {
                    return given;
                }
            }
            return null;
        }

        private boolean flagSet(Flag flag) {
            Flag.Given given = byFlag.get(flag);
            return given != null && FlagValues.bool(given.value());
        }

        private <T> T check(Flag flag, Function<String, T> check) throws LaunchException {
            Flag.Given given = byFlag.get(flag);
            return given == null ? null : check(given, check);
        }

        private static <T> T check(Flag.Given given, Function<String, T> check) throws LaunchException {
            try {
                return check.apply(given.value());
            } catch (IllegalArgumentException e) {
                String message = e.getMessage();
                // list checks name the item themselves; single values are named here
                throw new LaunchException(given.written() + ": " + (message.startsWith("\"") ? message
                        : shown(given) + " " + message));
            }
        }

        private static int checkInt(Flag.Given given, int min, int max) throws LaunchException {
            return check(given, v -> FlagValues.integer(v, min, max));
        }

        private static String origin(Flag.Given given) {
            return "flag " + given.written();
        }

        private static String shown(Flag.Given given) {
            return Setting.isSecret(given.flag().name().replace("k8s-", "")) ? "(secret)" : "\"" + given.value() + "\"";
        }
    }

    /**
     * ovn-kubernetes' -loglevel: "info, warn, fatal, error are always printed no matter the log level. Use 5 for
     * debug (default: 4)"; klog's higher verbosities are ovnk's TRACE.
     */
    static String logbackLevel(int level) {
        return level <= 4 ? "INFO" : level == 5 ? "DEBUG" : "TRACE";
    }
}
