package io.ovnk.launcher;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ovnk.launcher.flags.RunConfiguration;
import io.ovnk.launcher.flags.Setting;
import io.ovnk.ovnstack.Chassis;
import io.ovnk.ovnstack.Commands;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.Prerequisites;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code bin/ovnkube sandbox [--nodes N]}: a cluster of N nodes (1 by default) on this machine. A private OVN stack whose chassis ovnk's node
 * agent sets up (userspace datapath, in its own network namespace), fabric8's mock API server in CRUD mode as the
 * Kubernetes API on 127.0.0.1, an external host on the node's uplink, and ovnk (master and node, overlay, gateway)
 * configured through the run layer, never etc/. Once ovnk is up, {@link #demo} creates a namespace with two pods
 * plugged by the installed CNI shim as kubelet runs it and a NodePort Service, and checks traffic live. With
 * {@code --nodes 2} or more, the further chassis are joined over Geneve, each with a node agent in its own ovnkube
 * process ({@link SandboxNode}), and the echo pod runs on the last node: the checks then cross the tunnel.
 * {@link #close} removes everything: processes by PID, namespaces; files only ever go to {@code data/sandbox}.
 */
final class Sandbox implements AutoCloseable {

    static final String NODE = "node1";
    /** More would only show the same thing slower on this kind of machine (one chassis costs ~3 daemons). */
    static final int MAX_NODES = 4;
    static final String NAMESPACE = "demo";
    static final String NODE_IP = "172.30.0.2";
    static final String EXTERNAL_IP = "172.30.0.1";
    static final String CLUSTER_IP = "172.16.1.10";
    static final int SERVICE_PORT = 80;
    static final int NODE_PORT = 30080;
    static final int ECHO_PORT = 8080;
    private static final String UPLINK = "gw0";
    private static final String ORIGIN = "sandbox";
    private static final Duration READY = Duration.ofSeconds(120);
    /** ovn-kubernetes' ovnkube-master metrics port. */
    static final int METRICS_PORT = 9409;
    private static final Pattern METRICS_URL = Pattern.compile("metrics: serving (http://\\S+/metrics)");
    private static final Pattern ADDS_OK = Pattern.compile(
            "(?m)^ovnk_cni_request_duration_seconds_count\\{command=\"ADD\",result=\"ok\"\\} (\\d+)$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Distribution distribution;
    private final Path directory;
    private final Path cniBin;
    private final Path cniConf;
    private final Path cniSocket;
    private final OvnStack stack;
    private final Chassis chassis;
    private final io.ovnk.ovnstack.Pod external;
    private final KubernetesMockServer api;
    private final KubernetesClient kube;
    private final int nodes;
    private final List<SandboxNode> otherNodes = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private volatile boolean closed;

    private Sandbox(Distribution distribution, Path directory, OvnStack stack, KubernetesMockServer api, int nodes) {
        this.distribution = distribution;
        this.nodes = nodes;
        this.directory = directory;
        this.cniBin = directory.resolve("cni/bin");
        this.cniConf = directory.resolve("cni/net.d");
        // a directory of its own, which the CNI server makes 0700 (it refuses one that exists open to others)
        this.cniSocket = directory.resolve("cni/run/cni.sock");
        this.stack = stack;
        this.chassis = stack.chassis(0);
        this.api = api;
        this.kube = api.createClient();
        // the external host: a namespace of the stack on the chassis's uplink (both removed with the stack)
        this.external = stack.createPod("external");
        String chassisNs = chassis.namespace().orElseThrow();
        stack.commands().run("ip", "link", "add", UPLINK, "netns", chassisNs, "type", "veth", "peer", "name", "eth0",
                "netns", external.namespace());
        external.exec("ip", "addr", "add", EXTERNAL_IP + "/24", "dev", "eth0");
        external.exec("ip", "link", "set", "eth0", "up");
        // the userspace datapath does not complete offloaded checksums: the external host computes its own
        external.exec("ethtool", "-K", "eth0", "tx", "off");
        chassis.execInDatapathNamespace("ip", "link", "set", UPLINK, "up");
        for (int index = 0; index < nodes; index++) {
            kube.nodes().resource(new NodeBuilder().withNewMetadata().withName(nodeName(index)).endMetadata().build())
                    .create();
        }
    }

    /** node1 (this process: master and node), node2, ... (a node agent process each). */
    static String nodeName(int index) {
        return "node" + (index + 1);
    }

    /**
     * The sandbox's own flag, taken out of the arguments before ovnkube's flags are parsed: {@code --nodes N},
     * {@code --nodes=N}, one or two dashes.
     *
     * @return the node count and the arguments left for ovnkube
     */
    static Arguments arguments(List<String> arguments) throws LaunchException {
        List<String> rest = new ArrayList<>();
        String value = null;
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            String bare = argument.startsWith("--") ? argument.substring(2) : argument.startsWith("-")
                    ? argument.substring(1) : null;
            if (bare != null && bare.equals("nodes")) {
                if (i + 1 >= arguments.size()) {
                    throw new LaunchException("flag " + argument + ": needs a value: the number of nodes, 1-"
                            + MAX_NODES);
                }
                value = arguments.get(++i);
            } else if (bare != null && bare.startsWith("nodes=")) {
                value = bare.substring("nodes=".length());
            } else {
                rest.add(argument);
            }
        }
        int count = 1;
        if (value != null) {
            try {
                count = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                count = 0;
            }
            if (count < 1 || count > MAX_NODES) {
                throw new LaunchException("flag --nodes: \"" + value + "\" is not a number of nodes from 1 to "
                        + MAX_NODES);
            }
        }
        return new Arguments(count, List.copyOf(rest));
    }

    /** What {@link #arguments} found. */
    record Arguments(int nodes, List<String> rest) {
    }

    /** What the sandbox runs: master and node, overlay, the gateway; the user's flags may add to it. */
    static RunConfiguration launchSettings(RunConfiguration run) {
        List<String> features = new ArrayList<>(run.settings().extraFeatures());
        if (!features.contains("gateway")) {
            features.add("gateway");
        }
        List<String> origin = new ArrayList<>(run.settingsOrigin());
        origin.add(0, ORIGIN);
        Map<String, List<String>> launcherOrigins = new LinkedHashMap<>(run.launcherOrigins());
        launcherOrigins.put("roles", List.of(ORIGIN));
        launcherOrigins.put("mode", List.of(ORIGIN));
        launcherOrigins.put("features", List.of(ORIGIN));
        return new RunConfiguration(new LaunchSettings(List.of("master", "node"), "overlay", features), origin,
                launcherOrigins, run.logLevel(), run.logFile(), run.flags(), run.implied(), run.unused(),
                run.printConfig(), run.help());
    }

    /** Checks the prerequisites, starts the stack, the API endpoint and the external host. */
    static Sandbox start(Distribution distribution, int nodes) throws LaunchException {
        var missing = Prerequisites.missing();
        if (missing.isPresent()) {
            throw new LaunchException("sandbox: " + missing.get() + "; bash .ci/setup installs what is missing "
                    + "(as root, on Debian 12)");
        }
        // the API endpoint's libraries log through SLF4J without a provider on the launcher's class path
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        Path directory = distribution.data().resolve("sandbox");
        OvnStack stack;
        try {
            stack = OvnStack.builder().directory(directory).northbound().southbound().chassis(nodes)
                    .chassisUnconfigured().start();
        } catch (RuntimeException e) {
            throw new LaunchException("sandbox: the OVN stack did not start: " + e.getMessage(), e);
        }
        KubernetesMockServer api = null;
        try {
            api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesCrudDispatcher(), false);
            api.init(InetAddress.getByName("127.0.0.1"), 0);
            return new Sandbox(distribution, directory, stack, api, nodes);
        } catch (IOException | RuntimeException e) {
            if (api != null) {
                destroy(api);
            }
            stack.close();
            throw new LaunchException("sandbox: the Kubernetes API endpoint or the external host did not start: "
                    + e.getMessage(), e);
        }
    }

    /** The run's configuration with the sandbox's keys laid over etc/ (flags given by the user still win). */
    RunConfiguration configure(RunConfiguration run) {
        String chassisNs = chassis.namespace().orElseThrow();
        List<Setting> settings = new ArrayList<>();
        add(settings, "io.ovnk.kube", "api.server", apiUrl());
        add(settings, "io.ovnk.ovsdb.connection~nb", "database", "OVN_Northbound");
        add(settings, "io.ovnk.ovsdb.connection~nb", "remotes", stack.northbound().unixRemote());
        add(settings, "io.ovnk.ovsdb.connection~ovs", "database", "Open_vSwitch");
        add(settings, "io.ovnk.ovsdb.connection~ovs", "remotes", chassis.database().unixRemote());
        add(settings, "io.ovnk.overlay.node", "node.name", NODE);
        add(settings, "io.ovnk.overlay.node", "encap.ip", chassis.encapIp());
        add(settings, "io.ovnk.overlay.node", "sb.remotes", stack.southbound().tcpRemote());
        add(settings, "io.ovnk.overlay.node", "datapath.type", "netdev");
        add(settings, "io.ovnk.overlay.node", "host.netns", chassisNs);
        // the userspace datapath cannot offload checksums for a veth
        add(settings, "io.ovnk.overlay.node", "pod.tx.checksum.offload", "false");
        add(settings, "io.ovnk.cni", "socket.path", cniSocket.toString());
        add(settings, "io.ovnk.cni", "bin.dir", cniBin.toString());
        add(settings, "io.ovnk.cni", "conf.dir", cniConf.toString());
        add(settings, "io.ovnk.gateway.node", "node.name", NODE);
        add(settings, "io.ovnk.gateway.node", "uplink", UPLINK);
        add(settings, "io.ovnk.gateway.node", "ip", NODE_IP + "/24");
        add(settings, "io.ovnk.gateway.node", "next.hop", EXTERNAL_IP);
        add(settings, "io.ovnk.gateway.node", "host.netns", chassisNs);
        add(settings, "io.ovnk.gateway.node", "datapath.type", "netdev");
        add(settings, "io.ovnk.gateway.node", "node.port.enable", "true");
        // metrics and health on: ovn-kubernetes' master metrics port when it is free, else any free one
        add(settings, "io.ovnk.metrics", "enabled", "true");
        add(settings, "io.ovnk.metrics", "bind.address", "127.0.0.1");
        add(settings, "io.ovnk.metrics", "port", Integer.toString(metricsPort()));
        List<Setting> flags = new ArrayList<>(run.flags());
        for (Setting setting : settings) {
            if (flags.stream().noneMatch(f -> f.pid().equals(setting.pid()) && f.key().equals(setting.key()))) {
                flags.add(setting);
            }
        }
        return new RunConfiguration(run.settings(), run.settingsOrigin(), run.launcherOrigins(), run.logLevel(),
                run.logFile(), flags, run.implied(), run.unused(), run.printConfig(), run.help());
    }

    /** The API endpoint on 127.0.0.1 (the mock server names it localhost, which may resolve to ::1). */
    private String apiUrl() {
        return "http://127.0.0.1:" + api.getPort() + "/";
    }

    /** 9409 if nothing listens there now, else a port the kernel says is free. */
    private static int metricsPort() {
        for (int port : new int[] { METRICS_PORT, 0 }) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return probe.getLocalPort();
            } catch (IOException inUse) {
                // try the next
            }
        }
        return METRICS_PORT; // nothing free at all: the exporter will say so in the log
    }

    private static void add(List<Setting> settings, String pid, String key, String value) {
        settings.add(new Setting(pid, key, value, ORIGIN));
    }

    /** What was started before ovnk. */
    void printStack(PrintStream out) {
        out.printf("""
                ovnkube sandbox: a private OVS/OVN stack in %s
                  Northbound   %s  %s
                  Southbound   %s  %s
                  chassis %s   Open_vSwitch %s, br-int (userspace datapath) in network namespace %s
                  Kubernetes   %s (fabric8 mock API server, CRUD mode; state lives in this process)
                  external     host %s in network namespace %s, on the node's uplink %s
                """, distribution.display(directory), stack.northbound().tcpRemote(), stack.northbound().unixRemote(),
                stack.southbound().tcpRemote(), stack.southbound().unixRemote(), chassis.name(),
                chassis.database().unixRemote(), chassis.namespace().orElse("(root)"), apiUrl(), EXTERNAL_IP,
                external.namespace(), UPLINK);
        for (int index = 1; index < nodes; index++) {
            Chassis other = stack.chassis(index);
            out.printf("  chassis %s   Open_vSwitch %s, br-int in network namespace %s, Geneve from %s%n",
                    other.name(), other.database().unixRemote(), other.namespace().orElse("(root)"), other.encapIp());
        }
    }

    /** The node agents of node2, ... in their own processes; they start while this process's ovnk does. */
    private void startOtherNodes() throws LaunchException {
        for (int index = 1; index < nodes; index++) {
            String name = nodeName(index);
            otherNodes.add(SandboxNode.start(distribution, directory.resolve("ovnkube-" + name), new SandboxNode.Settings(name,
                    stack.chassis(index), apiUrl(), stack.southbound().tcpRemote())));
        }
    }

    /** Where a node's CNI shim, network configuration and socket are. */
    private record CniPlaces(Path bin, Path conf, Path socket) {
    }

    private CniPlaces cni(String node) {
        if (node.equals(NODE)) {
            return new CniPlaces(cniBin, cniConf, cniSocket);
        }
        Path home = directory.resolve("ovnkube-" + node); // the stack's own directory per chassis is named node
        return new CniPlaces(SandboxNode.cniBin(home), SandboxNode.cniConf(home), SandboxNode.cniSocket(home));
    }

    /**
     * Waits for ovnk's node set-up (from its log), then creates the demo namespace, its pods and Service, prints
     * them and the live checks' results.
     *
     * @param log the log file ovnk writes, from {@code logOffset} on this run's lines
     * @return true when every check passed
     */
    boolean demo(PrintStream out, Path log, long logOffset, boolean gogoOnStdin) throws LaunchException {
        startOtherNodes();
        LogFollower follower = new LogFollower(log, logOffset);
        follower.await(Pattern.compile("node " + NODE + ": overlay set-up complete"), READY);
        follower.await(Pattern.compile("CNI server: listening on"), READY);
        Matcher serving = METRICS_URL.matcher(follower.await(METRICS_URL, READY));
        String metrics = serving.find() ? serving.group(1) : "(not served: see the log)";
        LogFollower.awaitFile(cniConf, ".conflist", READY);
        for (SandboxNode other : otherNodes) {
            LogFollower otherLog = new LogFollower(other.log(), 0);
            otherLog.await(Pattern.compile("node " + other.name() + ": overlay set-up complete"), READY);
            otherLog.await(Pattern.compile("CNI server: listening on"), READY);
            LogFollower.awaitFile(cni(other.name()).conf(), ".conflist", READY);
        }
        String echoNode = nodeName(nodes - 1);

        kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
                .create();
        Plugged client = plug("client", NODE);
        Plugged echo = plug("echo", echoNode);
        serveEcho(echo.netns());

        kube.services().inNamespace(NAMESPACE).resource(new ServiceBuilder().withNewMetadata().withNamespace(NAMESPACE)
                .withName("echo").endMetadata().withNewSpec().withType("NodePort").withClusterIP(CLUSTER_IP)
                .addNewPort().withPort(SERVICE_PORT).withNodePort(NODE_PORT).withProtocol("TCP")
                .withTargetPort(new IntOrString(ECHO_PORT)).endPort().endSpec().build()).create();
        kube.discovery().v1().endpointSlices().inNamespace(NAMESPACE).resource(new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(NAMESPACE).withName("echo-1")
                .addToLabels("kubernetes.io/service-name", "echo").endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses(echo.ip()).withNewConditions().withReady(true).endConditions()
                .endEndpoint().addNewPort().withPort(ECHO_PORT).withProtocol("TCP").endPort().build()).create();
        // the Service's load balancers in the Northbound, then in the chassis's flows
        stack.nbctl("--timeout=60", "wait-until", "Load_Balancer", "Service_" + NAMESPACE + "/echo_TCP_cluster",
                "vips:\"" + CLUSTER_IP + ":" + SERVICE_PORT + "\"=\"" + echo.ip() + ":" + ECHO_PORT + "\"");
        stack.nbctl("--timeout=60", "wait-until", "Logical_Router", "GR_" + NODE, "external_ids:physical_ip=" + NODE_IP);
        stack.nbctl("--timeout=60", "wait-until", "Load_Balancer", "Service_nodeports_" + NODE + "_TCP",
                "vips:\"" + NODE_IP + ":" + NODE_PORT + "\"=\"" + echo.ip() + ":" + ECHO_PORT + "\"");
        stack.nbctl("--timeout=60", "--wait=hv", "sync");

        out.printf("""
                ovnkube sandbox: node %s (master, node; overlay; gateway) is up%s
                  namespace    %s
                  pod          %s/client  %s  on %s, network namespace %s
                  pod          %s/echo    %s  on %s, network namespace %s  (TCP echo server on port %d)
                  Service      %s/echo    ClusterIP %s:%d, NodePort %s:%d  ->  %s:%d
                  CNI          shim and network configuration in %s, socket %s
                  try          ip netns exec %s ping %s
                               ip netns exec %s bash -c 'exec 3<>/dev/tcp/%s/%d; echo hi >&3; head -1 <&3'
                               ovn-nbctl --db=%s show
                  metrics      %s  (health: /healthz, readiness: /readyz)
                  Gogo shell   %s
                  log          %s
                """, NODE, otherNodesLine(), NAMESPACE, NAMESPACE, client.ip(), NODE, client.netns(), NAMESPACE,
                echo.ip(), echoNode, echo.netns(), ECHO_PORT, NAMESPACE, CLUSTER_IP, SERVICE_PORT, NODE_IP, NODE_PORT, echo.ip(), ECHO_PORT,
                distribution.display(directory.resolve("cni")), distribution.display(cniSocket), client.netns(),
                echo.ip(), external.namespace(), NODE_IP, NODE_PORT, stack.northbound().tcpRemote(), metrics,
                gogoOnStdin ? "this terminal: type Gogo commands (lb, scr:list, help); \"stop 0\" ends the sandbox"
                        : "not attached: run bin/ovnkube sandbox in a terminal to get the shell on its input",
                distribution.display(log));
        String across = echoNode.equals(NODE) ? "" : ", " + NODE + " -> " + echoNode + " over Geneve";
        boolean ping = check(out, "pod to pod: " + NAMESPACE + "/client -> " + NAMESPACE + "/echo " + echo.ip()
                + " (ping" + across + ")", () -> client.pod().ping(echo.ip()) ? null : "no answer");
        boolean service = check(out, "pod to Service: " + NAMESPACE + "/client -> ClusterIP " + CLUSTER_IP + ":"
                + SERVICE_PORT + " (TCP)", () -> echoes(client.pod(), CLUSTER_IP, SERVICE_PORT));
        boolean nodePort = check(out, "external host to NodePort: " + EXTERNAL_IP + " -> " + NODE_IP + ":" + NODE_PORT
                + " (TCP)", () -> echoes(external, NODE_IP, NODE_PORT));
        // the node agents of further nodes count their own ADDs: this process counts those of node1
        int adds = echoNode.equals(NODE) ? 2 : 1;
        boolean scraped = check(out, "metrics: " + metrics + " (" + adds + " CNI ADD" + (adds == 1 ? "" : "s")
                + " counted, /readyz 200)", () -> scrape(metrics, adds));
        out.println("ovnkube sandbox: ready; Ctrl-C stops ovnk and removes the stack, the pods and the API endpoint");
        return ping && service && nodePort && scraped;
    }

    private record Plugged(io.ovnk.ovnstack.Pod pod, String ip) {
        String netns() {
            return pod.namespace();
        }
    }

    /** The further nodes, as the "is up" line ends: empty with one node. */
    private String otherNodesLine() {
        return otherNodes.isEmpty() ? "" : "; node agents " + String.join(", ", otherNodes.stream()
                .map(node -> node.name() + " (pid " + node.pid() + ", log " + distribution.display(node.log()) + ")")
                .toList());
    }

    /** A pod in the API, a network namespace, and a CNI ADD through the node's shim as kubelet runs it. */
    private Plugged plug(String name, String node) throws LaunchException {
        CniPlaces places = cni(node);
        Path cniBin = places.bin();
        Path cniConf = places.conf();
        Pod api = kube.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withNamespace(NAMESPACE)
                .withName(name).withUid(UUID.randomUUID().toString()).endMetadata().withNewSpec().withNodeName(node)
                .addNewContainer().withName("c").withImage("pause").endContainer().endSpec().build()).create();
        io.ovnk.ovnstack.Pod netns = stack.createPod(name);
        String containerId = (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", "ADD");
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", "/var/run/netns/" + netns.namespace());
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", cniBin.toString());
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + NAMESPACE + ";K8S_POD_NAME=" + name
                + ";K8S_POD_INFRA_CONTAINER_ID=" + containerId + ";K8S_POD_UID=" + api.getMetadata().getUid());
        try {
            Path conflist;
            try (var files = Files.list(cniConf)) {
                conflist = files.filter(f -> f.toString().endsWith(".conflist")).findFirst().orElseThrow();
            }
            JsonNode list = JSON.readTree(Files.readString(conflist));
            ObjectNode plugin = (ObjectNode) list.get("plugins").get(0).deepCopy();
            plugin.put("name", list.get("name").asString());
            plugin.put("cniVersion", list.get("cniVersion").asString());
            try (var shims = Files.list(cniBin)) {
                Path shim = shims.filter(Files::isExecutable).findFirst()
                        .orElseThrow(() -> new IOException("no CNI shim in " + cniBin));
                ProcessBuilder builder = new ProcessBuilder(shim.toString());
                builder.environment().clear();
                builder.environment().put("PATH", System.getenv("PATH"));
                builder.environment().putAll(env);
                Process process = builder.start();
                process.getOutputStream().write(JSON.writeValueAsString(plugin).getBytes(StandardCharsets.UTF_8));
                process.getOutputStream().close();
                CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
                String stdout = read(process.getInputStream());
                if (!process.waitFor(READY.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new LaunchException("sandbox: CNI ADD of pod " + NAMESPACE + "/" + name + " did not return");
                }
                if (process.exitValue() != 0) {
                    throw new LaunchException("sandbox: CNI ADD of pod " + NAMESPACE + "/" + name + " failed ("
                            + process.exitValue() + "): " + stdout.strip() + " " + stderr.join().strip());
                }
                String address = JSON.readTree(stdout).get("ips").get(0).get("address").asString();
                return new Plugged(netns, address.substring(0, address.indexOf('/')));
            }
        } catch (IOException e) {
            throw new LaunchException("sandbox: CNI ADD of pod " + NAMESPACE + "/" + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("sandbox: interrupted plugging pod " + NAMESPACE + "/" + name, e);
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** A perl TCP echo server in the pod, ready once it says so; stopped by PID when the sandbox closes. */
    private void serveEcho(String netns) throws LaunchException {
        try {
            Process process = new ProcessBuilder("ip", "netns", "exec", netns, "perl", "-MIO::Socket::INET", "-e",
                    "$|=1; $s=IO::Socket::INET->new(LocalPort=>" + ECHO_PORT + ",Listen=>5,ReuseAddr=>1) or die $!; "
                            + "print \"ready\\n\"; while($c=$s->accept){ $c->autoflush(1); "
                            + "while($l=<$c>){ print $c \"echo:$l\" } close $c }")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            synchronized (processes) {
                processes.add(process);
            }
            BufferedReader ready = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return ready.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
            if (!"ready".equals(line)) {
                throw new LaunchException("sandbox: the echo server in " + netns + " did not start");
            }
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new LaunchException("sandbox: the echo server in " + netns + " did not start: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("sandbox: interrupted starting the echo server", e);
        }
    }

    /**
     * null when /metrics counts at least {@code adds} successful CNI ADDs (the demo's on this process's node) and
     * /readyz answers 200.
     */
    private static String scrape(String metricsUrl, int adds) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .build();
        try {
            String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(metricsUrl))
                    .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            Matcher counted = ADDS_OK.matcher(body);
            if (!counted.find() || Long.parseLong(counted.group(1)) < adds) {
                return "no ovnk_cni_request_duration_seconds_count{command=\"ADD\",result=\"ok\"} of " + adds
                        + " or more in " + metricsUrl;
            }
            java.net.http.HttpResponse<String> ready = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(metricsUrl.replaceFirst("/metrics$", "/readyz"))).timeout(Duration.ofSeconds(10))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return ready.statusCode() == 200 ? null : "/readyz " + ready.statusCode() + ": " + ready.body().strip();
        } catch (IOException | IllegalArgumentException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** null when a line sent to ip:port comes back echoed; otherwise what happened. */
    private static String echoes(io.ovnk.ovnstack.Pod from, String ip, int port) {
        Commands.Result result = from.tryExec(Duration.ofSeconds(15), "timeout", "10", "bash", "-c",
                "exec 3<>/dev/tcp/" + ip + "/" + port + "; echo sandbox >&3; head -1 <&3");
        if (result.exitCode() == 0 && result.stdout().strip().equals("echo:sandbox")) {
            return null;
        }
        return "exit " + result.exitCode() + ": " + (result.stdout() + " " + result.stderr()).strip();
    }

    @FunctionalInterface
    private interface Check {
        /** null when the check passed, else why not. */
        String failure();
    }

    private static boolean check(PrintStream out, String what, Check check) {
        String failure;
        try {
            failure = check.failure();
        } catch (RuntimeException e) {
            failure = e.getMessage();
        }
        out.println("  live check   " + what + ": " + (failure == null ? "ok" : "FAILED: " + failure));
        return failure == null;
    }

    /** The launcher's shutdown hook closes this sandbox after ovnk has stopped, so the stack's own hook goes. */
    void closedByThisLauncherOnShutdown() {
        stack.closedByCallerOnShutdown();
    }

    boolean closed() {
        return closed;
    }

    /** Stops the echo server, the API endpoint and the stack (its daemons by PID, its namespaces). */
    @Override
    public void close() {
        closed = true;
        otherNodes.forEach(SandboxNode::close); // before the stack: they stop their OVS set-up against it
        List<Process> running;
        synchronized (processes) {
            running = List.copyOf(processes);
        }
        for (Process process : running) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        kube.close();
        destroy(api);
        stack.close();
    }

    /** The mock server may block on a watch a stopped client left open: it gets a few seconds, then the JVM ends it. */
    private static void destroy(KubernetesMockServer api) {
        Thread stopper = new Thread(() -> {
            try {
                api.destroy();
            } catch (RuntimeException e) {
                // the process is ending
            }
        }, "sandbox-api-stop");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
