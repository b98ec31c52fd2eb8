package io.ovnk.launcher.flags;

import io.ovnk.launcher.LaunchException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The flags of {@code bin/ovnkube}, parsed as Go's {@code flag} package (the seed's) and urfave/cli (current
 * ovn-kubernetes) parse them: one or two dashes, {@code -flag=value} or {@code -flag value}, boolean flags bare
 * or as {@code -flag=true|false}.
 */
public final class Flags {

    public static final String MASTER = "master";
    public static final String NODE = "node";

    public static final Flag INIT_MASTER = new Flag("init-master", List.of(), "NODE",
            "(roles from etc/io.ovnk.launcher.cfg)", "role master; io.ovnk.kube.leader identity");
    public static final Flag NET_CONTROLLER = new Flag("net-controller", List.of(), null, "false", "role master");
    public static final Flag HA = new Flag("ha", List.of(), null, "false",
            "(the seed's master HA: ovnk masters always elect a leader through a Lease, io.ovnk.kube.leader)");
    public static final Flag INIT_CLUSTER_MANAGER = new Flag("init-cluster-manager", List.of(), "NODE",
            "(roles from etc/io.ovnk.launcher.cfg)", "role master; io.ovnk.kube.leader identity");
    public static final Flag INIT_OVNKUBE_CONTROLLER = new Flag("init-ovnkube-controller", List.of(), "NODE",
            "(roles from etc/io.ovnk.launcher.cfg)", "role master; io.ovnk.kube.leader identity");
    public static final Flag INIT_NODE = new Flag("init-node", List.of(), "NODE",
            "(roles from etc/io.ovnk.launcher.cfg)", "role node; io.ovnk.overlay.node node.name (mode underlay: io.ovnk.underlay.node node.name); "
                    + "io.ovnk.kube.informers pod.node (node role only); under etc/: io.ovnk.ovsdb.connection~ovs "
                    + "(unix:/var/run/openvswitch/db.sock) and encap.ip (this host's address towards -k8s-apiserver)");
    public static final Flag MODE = new Flag("mode", List.of(), "overlay|underlay",
            "overlay (etc/io.ovnk.launcher.cfg)", "the mode feature (ovnk's own flag)");

    public static final Flag K8S_APISERVER = new Flag("k8s-apiserver", List.of(), "URL",
            "(kubeconfig, in-cluster or ~/.kube/config)", "io.ovnk.kube api.server");
    public static final Flag K8S_KUBECONFIG = new Flag("k8s-kubeconfig", List.of(), "FILE", "(none)",
            "io.ovnk.kube kubeconfig");
    public static final Flag K8S_TOKEN = new Flag("k8s-token", List.of(), "TOKEN", "(none)",
            "io.ovnk.kube token (secret; visible in ps: prefer -k8s-token-file)");
    public static final Flag K8S_TOKEN_FILE = new Flag("k8s-token-file", List.of(), "FILE", "(none)",
            "io.ovnk.kube token.file");
    public static final Flag K8S_CACERT = new Flag("k8s-cacert", List.of(), "FILE", "(system trust)",
            "io.ovnk.kube ca.file");

    public static final Flag CLUSTER_SUBNETS = new Flag("cluster-subnets", List.of("cluster-subnet"),
            "CIDR[/HOSTPREFIX],...", "10.128.0.0/14/23",
            "io.ovnk.ipam cluster.subnets (master); io.ovnk.overlay.node cluster.subnets (node)");
    public static final Flag SERVICE_CIDRS = new Flag("k8s-service-cidrs",
            List.of("k8s-service-cidr", "service-cluster-ip-range"), "CIDR,...", "172.16.1.0/24",
            "io.ovnk.ipam service.cidrs (master); io.ovnk.overlay.node service.cidrs (node)");

    public static final Flag NB_ADDRESS = new Flag("nb-address", List.of(), "ADDRESS,...",
            "(etc/io.ovnk.ovsdb.connection~nb.cfg)", "io.ovnk.ovsdb.connection~nb remotes (master)");
    public static final Flag NB_PRIVKEY = new Flag("nb-client-privkey", List.of(), "FILE", "(none)",
            "io.ovnk.ovsdb.connection~nb private.key (master)");
    public static final Flag NB_CERT = new Flag("nb-client-cert", List.of(), "FILE", "(none)",
            "io.ovnk.ovsdb.connection~nb certificate (master)");
    public static final Flag NB_CACERT = new Flag("nb-client-cacert", List.of(), "FILE", "(none)",
            "io.ovnk.ovsdb.connection~nb ca.certificate (master)");
    public static final Flag SB_ADDRESS = new Flag("sb-address", List.of(), "ADDRESS,...",
            "(etc/ files)", "io.ovnk.ovsdb.connection~sb remotes (master); io.ovnk.overlay.node sb.remotes (node)");
    public static final Flag SB_PRIVKEY = new Flag("sb-client-privkey", List.of(), "FILE", "(none)",
            "io.ovnk.ovsdb.connection~sb private.key (master)");
    public static final Flag SB_CERT = new Flag("sb-client-cert", List.of(), "FILE", "(none)",
            "io.ovnk.ovsdb.connection~sb certificate (master)");
    public static final Flag SB_CACERT = new Flag("sb-client-cacert", List.of(), "FILE", "(none)",
            "io.ovnk.ovsdb.connection~sb ca.certificate (master)");

    public static final Flag NODEPORT = new Flag("nodeport", List.of(), null, "false", "feature gateway");
    public static final Flag INIT_GATEWAYS = new Flag("init-gateways", List.of(), null, "false",
            "feature gateway; on a node io.ovnk.gateway.node (node.name from -init-node, uplink from "
                    + "-gateway-interface or the default route's interface, node.port.enable from -nodeport)");
    public static final Flag GATEWAY_MODE = new Flag("gateway-mode", List.of(), "shared|local", "(no gateway)",
            "shared: as -init-gateways; local is not supported");
    public static final Flag GATEWAY_INTERFACE = new Flag("gateway-interface", List.of(), "IFACE",
            "(the default route's interface)", "io.ovnk.gateway.node uplink (with -init-gateways)");
    public static final Flag GATEWAY_NEXTHOP = new Flag("gateway-nexthop", List.of(), "IP",
            "(the default route's gateway)", "io.ovnk.gateway.node next.hop (with -init-gateways)");
    public static final Flag GATEWAY_VLANID = new Flag("gateway-vlanid", List.of(), "0-4094", "0 (untagged)",
            "io.ovnk.gateway.node vlan (with -init-gateways)");
    public static final Flag GATEWAY_LOCAL = new Flag("gateway-local", List.of(), null, "false",
            "(local gateway mode: not supported)");

    public static final Flag ENCAP_IP = new Flag("encap-ip", List.of(), "IP",
            "(this host's address towards -k8s-apiserver)", "io.ovnk.overlay.node encap.ip");
    public static final Flag ENCAP_TYPE = new Flag("encap-type", List.of(), "geneve|vxlan", "geneve",
            "io.ovnk.overlay.node encap.type");
    public static final Flag MTU = new Flag("mtu", List.of(), "BYTES", "1400",
            "io.ovnk.overlay.node mtu and io.ovnk.cni mtu");
    public static final Flag CNI_CONF_DIR = new Flag("cni-conf-dir", List.of(), "DIR", "/etc/cni/net.d",
            "io.ovnk.cni conf.dir");

    public static final Flag LOGLEVEL = new Flag("loglevel", List.of(), "0-9", "4 (INFO)",
            "level of the io.ovnk loggers: 0-4 INFO, 5 DEBUG, 6 and more TRACE");
    public static final Flag LOGFILE = new Flag("logfile", List.of(), "FILE", "log/ovnk.log",
            "the log file (rotated as log/ovnk.log is)");

    public static final Flag PRINT_CONFIG = new Flag("print-config", List.of(), null, "false",
            "print the merged configuration with each value's origin and exit");
    public static final Flag HELP = new Flag("help", List.of("h"), null, "false", "this text");

    /** Every flag, in the order --help lists them. */
    public static final List<Flag> ALL = List.of(INIT_MASTER, NET_CONTROLLER, HA, INIT_CLUSTER_MANAGER,
            INIT_OVNKUBE_CONTROLLER, INIT_NODE, MODE, K8S_APISERVER, K8S_KUBECONFIG, K8S_TOKEN, K8S_TOKEN_FILE,
            K8S_CACERT, CLUSTER_SUBNETS, SERVICE_CIDRS, NB_ADDRESS, NB_PRIVKEY, NB_CERT, NB_CACERT, SB_ADDRESS,
            SB_PRIVKEY, SB_CERT, SB_CACERT, NODEPORT, INIT_GATEWAYS, GATEWAY_MODE, GATEWAY_INTERFACE, GATEWAY_NEXTHOP,
            GATEWAY_VLANID, GATEWAY_LOCAL, ENCAP_IP, ENCAP_TYPE,
            MTU, CNI_CONF_DIR, LOGLEVEL, LOGFILE, PRINT_CONFIG, HELP);

    private static final Map<String, Flag> BY_SPELLING = bySpelling();

    private Flags() {
    }

    private static Map<String, Flag> bySpelling() {
        Map<String, Flag> map = new LinkedHashMap<>();
        for (Flag flag : ALL) {
            flag.spellings().forEach(spelling -> map.put(spelling, flag));
        }
        return java.util.Collections.unmodifiableMap(map);
    }

    /**
     * Parses the arguments after the command.
     *
     * @throws LaunchException naming the flag: unknown (with the closest known one), a value missing, a
     *         boolean given a value that is not one, an argument that is not a flag
     */
    public static List<Flag.Given> parse(List<String> arguments) throws LaunchException {
        List<Flag.Given> given = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (!argument.startsWith("-") || argument.equals("-") || argument.equals("--")) {
                throw new LaunchException("unexpected argument \"" + argument + "\": flags start with - or --"
                        + (i > 0 && isBooleanFlag(arguments.get(i - 1))
                                ? " (" + arguments.get(i - 1) + " is a boolean flag: " + arguments.get(i - 1)
                                        + " or " + arguments.get(i - 1) + "=false)"
                                : "")
                        + "; see --help");
            }
            String dashes = argument.startsWith("--") ? "--" : "-";
            String body = argument.substring(dashes.length());
            int equals = body.indexOf('=');
            String name = equals < 0 ? body : body.substring(0, equals);
            Flag flag = BY_SPELLING.get(name);
            String written = dashes + name;
            if (flag == null) {
                throw new LaunchException("unknown flag " + written + closest(name).map(c -> " (did you mean "
                        + dashes + c + "?)").orElse("") + "; see --help");
            }
            String value;
            if (equals >= 0) {
                value = body.substring(equals + 1);
            } else if (flag.isBoolean()) {
                value = "true";
            } else if (i + 1 < arguments.size()) {
                value = arguments.get(++i);
            } else {
                throw new LaunchException(written + ": needs a value (" + written + " " + flag.argument() + ")");
            }
            if (flag.isBoolean()) {
                try {
                    FlagValues.bool(value);
                } catch (IllegalArgumentException e) {
                    throw new LaunchException(written + ": \"" + value + "\" " + e.getMessage());
                }
            }
            given.add(new Flag.Given(flag, written, value));
        }
        return given;
    }

    private static boolean isBooleanFlag(String argument) {
        if (!argument.startsWith("-") || argument.contains("=")) {
            return false;
        }
        Flag flag = BY_SPELLING.get(argument.replaceFirst("^--?", ""));
        return flag != null && flag.isBoolean();
    }

    /** The known spelling closest to a mistyped one, if any is close enough to be what was meant. */
    static Optional<String> closest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String spelling : BY_SPELLING.keySet()) {
            int distance = distance(name, spelling);
            if (distance < bestDistance) {
                best = spelling;
                bestDistance = distance;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The flags section of {@code --help}: every flag with its value, its default and what it maps to. */
    public static String help() {
        StringBuilder out = new StringBuilder("flags (one or two dashes; -flag=VALUE or -flag VALUE; lists comma-separated):\n");
        for (Flag flag : ALL) {
            out.append("  -").append(flag.name());
            flag.aliases().forEach(alias -> out.append(", -").append(alias));
            if (!flag.isBoolean()) {
                out.append(' ').append(flag.argument());
            }
            out.append("\n        default ").append(flag.defaultText()).append("; ").append(flag.mapsTo()).append('\n');
        }
        return out.toString();
    }
}
