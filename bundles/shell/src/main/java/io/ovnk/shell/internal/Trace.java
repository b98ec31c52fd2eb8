package io.ovnk.shell.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import io.ovnk.kube.AnnotationException;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.PodNetwork;
import io.ovnk.kube.PodNetworksAnnotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ovnk:trace}: the microflow of a packet from a pod (its logical port, MAC and IP as annotated in
 * {@code k8s.ovn.org/pod-networks}) to another pod or an IP[:port], the {@code ovn-trace} command line that follows
 * it through the Southbound's logical flows, and the verdict read from ovn-trace's output. No OSGi, no I/O.
 */
public final class Trace {

    /**
     * How many times ovn-trace is told that conntrack says "new": one for each conntrack pass of the trip (source
     * switch in and out, router, destination switch in and out), so that the ACLs of a new connection apply
     * everywhere (after the last --ct, ovn-trace would say "established" and skip the ACLs of new connections).
     */
    static final int CT_PASSES = 4;

    private static final Pattern OUTPUT = Pattern.compile("/\\* output to \"(.*?)\", type \"(.*?)\" \\*/");
    private static final Pattern STAGE = Pattern.compile(
            "^\\s*\\d+\\. (\\S+) \\([^)]*\\): (.*), priority (\\d+), uuid \\S+$");
    private static final Pattern PIPELINE = Pattern.compile("^(ingress|egress)\\(dp=\"(.*?)\"");
    private static final Pattern LB = Pattern.compile("\\bct_lb(?:_mark)?\\(backends=([^;)]*)");
    private static final Pattern DNAT = Pattern.compile("\\bct_dnat(?:_in_czone)?\\(([^)]+)\\)");
    private static final Pattern LOG = Pattern.compile("^\\S+\\|\\d+\\|\\S+\\|(?:WARN|ERR|EMER)\\|(.*)$");

    private Trace() {
    }

    public enum Protocol {
        TCP, UDP, NONE
    }

    /** What the command line names as destination: a pod ({@code namespace/name}) or an IP, either with a port. */
    public record Target(String namespace, String pod, IpAddress ip, Integer port) {

        public boolean isPod() {
            return pod != null;
        }
    }

    /** A pod as a trace sees it: its logical port, node (its logical switch), MAC, addresses and gateways. */
    public record Endpoint(String namespace, String name, String node, String logicalPort, MacAddress mac,
            List<Cidr> addresses, List<IpAddress> gateways) {

        Optional<Cidr> address(Family family) {
            return addresses.stream().filter(cidr -> cidr.address().family() == family).findFirst();
        }

        Optional<IpAddress> gateway(Family family) {
            return gateways.stream().filter(gateway -> gateway.family() == family).findFirst();
        }
    }

    /** The datapath (the source pod's node switch) and the microflow ovn-trace starts from. */
    public record Microflow(String datapath, String expression) {
    }

    /**
     * The verdict: {@code delivered} (to {@code port}), {@code dropped}, {@code rejected} (a TCP RST or ICMP
     * error back to {@code port}), {@code failed} (ovn-trace itself); the load balancers' backends the packet was
     * NATed to; a line for people.
     */
    public record Verdict(String kind, String port, List<String> nat, String text) {
    }

    /** {@code {command, verdict, output}}, what {@code -o json} prints. */
    public record Result(String command, String verdict, String output) {
    }

    /**
     * Parses the destination word: {@code namespace/pod}, {@code namespace/pod:port}, {@code IP}, {@code IP:port},
     * {@code [IPv6]:port} or a bare IPv6 address.
     *
     * @throws IllegalArgumentException saying what form was expected
     */
    public static Target target(String text) {
        String expected = "destination \"" + text + "\": expected namespace/pod, IP or IP:port (IPv6 as [ADDRESS]:port)";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(expected);
        }
        int slash = text.indexOf('/');
        if (slash >= 0) {
            String rest = text.substring(slash + 1);
            String namespace = text.substring(0, slash);
            Integer port = null;
            int colon = rest.lastIndexOf(':');
            if (colon >= 0) {
                port = port(rest.substring(colon + 1), text);
                rest = rest.substring(0, colon);
            }
            if (namespace.isEmpty() || rest.isEmpty() || rest.contains("/")) {
                throw new IllegalArgumentException(expected);
            }
            return new Target(namespace, rest, null, port);
        }
        String address = text;
        Integer port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(expected);
            }
            address = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException(expected);
                }
                port = port(rest.substring(1), text);
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            address = text.substring(0, text.indexOf(':'));
            port = port(text.substring(text.indexOf(':') + 1), text);
        }
        try {
            return new Target(null, null, IpAddress.parse(address), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(expected + ": " + e.getMessage());
        }
    }

    private static int port(String text, String whole) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("destination \"" + whole + "\": port \"" + text + "\" is not within 1..65535");
    }

    /**
     * A pod as an endpoint of a trace.
     *
     * @throws IllegalArgumentException for a host-network pod, a pod not scheduled yet, a pod without (or with a
     *         malformed) {@code k8s.ovn.org/pod-networks} annotation
     */
    public static Endpoint endpoint(Pod pod) {
        String name = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            throw new IllegalArgumentException("pod " + name + " uses the host network: it has no logical port to trace");
        }
        PodNetwork network;
        try {
            network = OvnAnnotations.read(pod, OvnAnnotations.POD_NETWORKS, PodNetworksAnnotation::parse)
                    .orElseThrow(() -> new IllegalArgumentException("pod " + name + " has no " + OvnAnnotations.POD_NETWORKS
                            + " annotation yet: the master has not allocated its address (is it scheduled? is the master "
                            + "running? see ovnk:health)"))
                    .defaultNetwork();
        } catch (AnnotationException e) {
            throw new IllegalArgumentException("pod " + name + ": " + e.getMessage());
        }
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("pod " + name + " is not scheduled to a node: no logical switch to start on");
        }
        return new Endpoint(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), node,
                pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName(), network.macAddress(),
                network.ipAddresses(), network.gatewayIps());
    }

    /** The MAC of the node's router port {@code rtos-<node>}: {@code 0a:58:} and the gateway IP. */
    public static Optional<MacAddress> gatewayMac(Endpoint source, Family family) {
        return source.gateway(family).map(MacAddress::forAddress);
    }

    /**
     * The microflow from {@code source} to {@code destination} (a pod's address, or an IP), as the pod would send
     * it: to the destination pod's MAC when it is on the same node switch and subnet, else to the gateway's.
     * A port without protocol means TCP.
     *
     * @param destinationPod the destination pod when known (by name, or by its IP), else null
     * @param routerMac the MAC of {@code rtos-<node>}, null to derive it from the gateway IP of the annotation
     * @throws IllegalArgumentException when the source has no address of the destination's family, or no gateway
     */
    public static Microflow microflow(Endpoint source, Endpoint destinationPod, IpAddress destination, Integer port,
            Protocol protocol, MacAddress routerMac) {
        Family family = destination.family();
        Cidr from = source.address(family).orElseThrow(() -> new IllegalArgumentException("pod " + source.namespace()
                + "/" + source.name() + " has no " + (family == Family.IPV4 ? "IPv4" : "IPv6")
                + " address to reach " + destination + " (addresses: " + source.addresses() + ")"));
        MacAddress dstMac;
        if (destinationPod != null && destinationPod.node().equals(source.node()) && from.contains(destination)) {
            dstMac = destinationPod.mac();
        } else {
            dstMac = routerMac != null ? routerMac : gatewayMac(source, family).orElseThrow(() ->
                    new IllegalArgumentException("pod " + source.namespace() + "/" + source.name() + " has no "
                            + "gateway_ips in its annotation and the MAC of rtos-" + source.node() + " is not known"));
        }
        String ip = family == Family.IPV4 ? "ip4" : "ip6";
        StringBuilder flow = new StringBuilder().append("inport == \"").append(source.logicalPort()).append('"')
                .append(" && eth.src == ").append(source.mac()).append(" && eth.dst == ").append(dstMac)
                .append(" && ").append(ip).append(".src == ").append(from.address())
                .append(" && ").append(ip).append(".dst == ").append(destination).append(" && ip.ttl == 64");
        Protocol effective = protocol == Protocol.NONE && port != null ? Protocol.TCP : protocol;
        if (effective != Protocol.NONE) {
            String l4 = effective == Protocol.TCP ? "tcp" : "udp";
            flow.append(" && ").append(l4);
            if (port != null) {
                flow.append(" && ").append(l4).append(".dst == ").append(port);
            }
        }
        return new Microflow(source.node(), flow.toString());
    }

    /**
     * The ovn-trace command line: {@code --db} the Southbound remote(s), the TLS files for {@code ssl:} remotes,
     * {@code --ct=new} for every conntrack pass, the datapath and the microflow.
     */
    public static List<String> command(String southbound, List<String> tlsOptions, Microflow flow) {
        List<String> command = new ArrayList<>(List.of("ovn-trace", "--db=" + southbound));
        command.addAll(tlsOptions);
        for (int i = 0; i < CT_PASSES; i++) {
            command.add("--ct=new");
        }
        command.add(flow.datapath());
        command.add(flow.expression());
        return command;
    }

    /** The command as one would type it in a shell (words with blanks or quotes single-quoted). */
    public static String display(List<String> command) {
        StringBuilder text = new StringBuilder();
        for (String word : command) {
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(word.matches("[A-Za-z0-9_.,:=/@%+-]+") ? word : "'" + word.replace("'", "'\\''") + "'");
        }
        return text.toString();
    }

    /**
     * Reads ovn-trace's detailed output: the last line is {@code /* output to "PORT", type "..." *}{@code /} when
     * the packet leaves through a port, {@code drop;} when a logical flow drops it; a {@code reject} or
     * {@code tcp_reset} on the way back to the source port is a rejection; {@code ct_lb}'s backends and
     * {@code ct_dnat}'s address are the NAT.
     *
     * @param sourcePort the source pod's logical port (where a rejection goes back to)
     */
    public static Verdict verdict(int exitCode, String output, String sourcePort) {
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        List<String> warnings = new ArrayList<>();
        List<String> nat = new ArrayList<>();
        boolean reject = false;
        String rejectedAt = null;
        String pipeline = null;
        String stage = null;
        for (String line : lines) {
            Matcher log = LOG.matcher(line);
            if (log.matches()) {
                warnings.add(log.group(1));
                continue;
            }
            Matcher lb = LB.matcher(line);
            if (lb.find()) {
                for (String backend : lb.group(1).split(",")) {
                    if (!backend.isBlank() && !nat.contains(backend.strip())) {
                        nat.add(backend.strip());
                    }
                }
            }
            Matcher dnat = DNAT.matcher(line);
            if (dnat.find() && !nat.contains(dnat.group(1).strip())) {
                nat.add(dnat.group(1).strip());
            }
            String trimmed = line.strip();
            if (trimmed.startsWith("reject {") || trimmed.startsWith("reject;") || line.equals("tcp_reset")
                    || line.startsWith("tcp_reset {")) {
                if (!reject) {
                    rejectedAt = (pipeline == null ? "" : pipeline + " ") + (stage == null ? "" : stage);
                }
                reject = true;
            }
            Matcher where = PIPELINE.matcher(line);
            if (where.find()) {
                pipeline = where.group(2) + " " + where.group(1);
            }
            Matcher at = STAGE.matcher(line);
            if (at.matches()) {
                stage = at.group(1) + " (priority " + at.group(3) + ", match " + at.group(2) + ")";
            }
        }
        String natText = nat.isEmpty() ? "" : (nat.size() == 1 ? "NAT to " + nat.get(0) : "NAT to one of "
                + String.join(", ", nat)) + ", ";
        if (exitCode != 0 || lines.stream().allMatch(line -> LOG.matcher(line).matches())) {
            String why = warnings.isEmpty() ? (lines.isEmpty() ? "no output" : lines.get(lines.size() - 1).strip())
                    : String.join("; ", warnings);
            return new Verdict("failed", null, List.copyOf(nat), "ovn-trace failed (exit " + exitCode + "): " + why);
        }
        String last = lines.get(lines.size() - 1).strip();
        Matcher leaves = OUTPUT.matcher(last);
        if (leaves.find()) {
            String port = leaves.group(1);
            if (reject && port.equals(sourcePort)) {
                return new Verdict("rejected", port, List.copyOf(nat), "rejected: a reset/ICMP error goes back to "
                        + port + (rejectedAt == null || rejectedAt.isBlank() ? "" : " (rejected in " + rejectedAt.strip() + ")"));
            }
            String type = leaves.group(2).isEmpty() ? "" : " (type " + leaves.group(2) + ")";
            return new Verdict("delivered", port, List.copyOf(nat), natText + "delivered to " + port + type);
        }
        String place = (pipeline == null ? "" : " in " + pipeline) + (stage == null ? "" : " " + stage);
        if (last.equals("drop;") || last.contains("drop")) {
            return new Verdict("dropped", null, List.copyOf(nat), natText + "dropped" + place);
        }
        return new Verdict("dropped", null, List.copyOf(nat), natText + "dropped: the trace ends without output"
                + place + " after \"" + last + "\"");
    }
}
