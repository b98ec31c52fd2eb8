package io.ovnk.ovnstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether this machine can run a real OVS/OVN stack: root, the Debian packages' programs and schemas,
 * /dev/net/tun for the userspace datapath's tap devices.
 */
public final class Prerequisites {

    public static final String PACKAGES = "openvswitch-switch openvswitch-pki ovn-central ovn-host iproute2 iputils-ping ethtool";

    static final List<String> PROGRAMS = List.of("ovsdb-tool", "ovsdb-server", "ovsdb-client", "ovs-vswitchd",
            "ovs-vsctl", "ovs-appctl", "ovn-northd", "ovn-controller", "ovn-nbctl", "ovn-sbctl", "ovn-appctl", "ip",
            "ethtool", "ping", "ovs-pki");
    static final Path NB_SCHEMA = Path.of("/usr/share/ovn/ovn-nb.ovsschema");
    static final Path SB_SCHEMA = Path.of("/usr/share/ovn/ovn-sb.ovsschema");
    static final Path VSWITCH_SCHEMA = Path.of("/usr/share/openvswitch/vswitch.ovsschema");

    private Prerequisites() {
    }

    /** Empty when a stack can run here; otherwise one sentence saying what is missing and how to get it. */
    public static Optional<String> missing() {
        List<String> problems = new ArrayList<>();
        if (!root()) {
            problems.add("not running as root (network namespaces and tap devices need it)");
        }
        List<String> programs = PROGRAMS.stream().filter(program -> find(program).isEmpty()).toList();
        if (!programs.isEmpty()) {
            problems.add("missing programs " + String.join(", ", programs) + " (apt-get install -y " + PACKAGES + ")");
        }
        for (Path schema : List.of(NB_SCHEMA, SB_SCHEMA, VSWITCH_SCHEMA)) {
            if (!Files.isRegularFile(schema)) {
                problems.add("missing schema " + schema);
            }
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            problems.add("no /dev/net/tun (the userspace datapath needs tap devices)");
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    static Optional<Path> find(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        List<String> directories = new ArrayList<>(List.of(path.split(":")));
        // root's tools live in sbin, which a non-login PATH may lack
        directories.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String directory : directories) {
            Path candidate = Path.of(directory, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
