package io.ovnk.itests.distribution;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ovnk.ovnstack.Chassis;
import io.ovnk.ovnstack.Commands;
import io.ovnk.ovnstack.OvnStack;
import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * A cluster as an operator runs it: a real OVN stack (NB, SB, northd, one OVS + ovn-controller per chassis, each
 * chassis in its own network namespace), fabric8's mock API server as the Kubernetes API, and one real
 * {@code bin/ovnkube} per node, configured only through {@code etc/} files. Pods are network namespaces plugged by
 * executing the installed CNI shim the way kubelet does. Closing stops every process and namespace, by PID.
 */
final class Cluster implements AutoCloseable {

    static final Duration START = Duration.ofSeconds(90);

    final OvnStack stack;
    final KubernetesMockServer api;
    final KubernetesClient kube;
    private final Path dir;
    private final Map<String, NodeAgent> nodes = new LinkedHashMap<>();
    private final List<Ovnkube> masters = new ArrayList<>();
    private final List<String> debugLoggers = new ArrayList<>();
    private boolean console;
    private final Commands commands = new Commands(Map.of());

    /** One ovnkube process and the files it owns. */
    record NodeAgent(String name, Chassis chassis, Ovnkube ovnkube, Path cniBin, Path cniConf, Path socket) {
        Path shim() {
            return cniBin.resolve("ovn-k8s-cni-overlay");
        }
    }

    Cluster(Path dir, int chassis) {
        this(dir, chassis, false);
    }

    /**
     * As {@link #Cluster(Path, int)}; {@code chassisConfigured}: the stack configures its chassis itself (br-int,
     * ovn-remote, encapsulation), as a hypervisor that no ovnk node agent sets up (the underlay mode's).
     */
    Cluster(Path dir, int chassis, boolean chassisConfigured) {
        this.dir = dir;
        quietMockServer();
        OvnStack.Builder builder = OvnStack.builder().southbound().chassis(chassis).root(dir);
        this.stack = (chassisConfigured ? builder : builder.chassisUnconfigured()).start();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        this.api = server;
        this.kube = server.createClient();
    }

    /** Starts ovnkube for the node on the given chassis, with the given roles (master, node). */
    NodeAgent startNode(String name, int chassisIndex, String roles) {
        return startNode(name, chassisIndex, roles, "");
    }

    /** As {@link #startNode(String, int, String)}, with further lines for etc/io.ovnk.cni.cfg. */
    NodeAgent startNode(String name, int chassisIndex, String roles, String cniSettings) {
        return startNode(name, chassisIndex, roles, cniSettings, "");
    }

    /** As above, with etc/io.ovnk.gateway.node.cfg when {@code gatewayNodeSettings} is not empty. */
    NodeAgent startNode(String name, int chassisIndex, String roles, String cniSettings, String gatewayNodeSettings) {
        Chassis chassis = stack.chassis(chassisIndex);
        kube.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        Path home = dir.resolve(name);
        Path cniBin = home.resolve("cni/bin");
        Path cniConf = home.resolve("cni/net.d");
        Path socket = home.resolve("cni/run/ovn-cni-server.sock");
        Ovnkube ovnkube = new Ovnkube(home);
        Path etc = ovnkube.home().resolve("etc");
        if (!debugLoggers.isEmpty()) {
            Path logback = ovnkube.home().resolve("conf/logback.xml");
            StringBuilder loggers = new StringBuilder();
            debugLoggers.forEach(logger -> loggers.append("<logger name=\"").append(logger).append("\" level=\"DEBUG\"/>\n"));
            try {
                Files.writeString(logback, Files.readString(logback).replace("<root ", loggers + "<root "));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        write(etc.resolve("io.ovnk.launcher.cfg"), "roles = " + roles + "\nmode = overlay\nfeatures =\n");
        write(etc.resolve("io.ovnk.kube.cfg"), "api.server = " + api.url("/") + "\n");
        if (roles.contains("master")) {
            write(etc.resolve("io.ovnk.ovsdb.connection~nb.cfg"), "database = OVN_Northbound\nremotes = "
                    + stack.northbound().unixRemote() + "\n");
        }
        if (roles.contains("node")) {
            write(etc.resolve("io.ovnk.ovsdb.connection~ovs.cfg"), "database = Open_vSwitch\nremotes = "
                    + chassis.database().unixRemote() + "\n");
            write(etc.resolve("io.ovnk.overlay.node.cfg"), String.join("\n",
                    "node.name = " + name,
                    "encap.ip = " + chassis.encapIp(),
                    "sb.remotes = " + stack.southbound().tcpRemote(),
                    "datapath.type = netdev",
                    "host.netns = " + chassis.namespace().orElse(""),
                    // the userspace datapath cannot offload checksums across Geneve
                    "pod.tx.checksum.offload = false", ""));
            write(etc.resolve("io.ovnk.cni.cfg"), String.join("\n",
                    "socket.path = " + socket,
                    "bin.dir = " + cniBin,
                    "conf.dir = " + cniConf, cniSettings));
        }
        if (!gatewayNodeSettings.isEmpty()) {
            write(etc.resolve("io.ovnk.gateway.node.cfg"), gatewayNodeSettings);
        }
        if (console) {
            ovnkube.start("console");
        } else {
            ovnkube.start();
        }
        NodeAgent agent = new NodeAgent(name, chassis, ovnkube, cniBin, cniConf, socket);
        nodes.put(name, agent);
        ovnkube.await("ovnk started in", START);
        return agent;
    }

    /**
     * Launches an ovnkube named {@code name} (its own distribution copy under the cluster's directory), without
     * waiting for it (several start side by side; the caller waits for the lines it needs), configured only
     * by the given {@code etc/} files (file name to content) plus {@code io.ovnk.kube.cfg} pointing at the API and,
     * for the node role, {@code io.ovnk.cni.cfg} keeping the CNI files inside its directory. Creates no Node object.
     */
    NodeAgent launchOvnkube(String name, Chassis chassis, String roles, String mode, Map<String, String> etcFiles) {
        Path home = dir.resolve(name);
        Path cniBin = home.resolve("cni/bin");
        Path cniConf = home.resolve("cni/net.d");
        Path socket = home.resolve("cni/run/ovn-cni-server.sock");
        Ovnkube ovnkube = new Ovnkube(home);
        Path etc = ovnkube.home().resolve("etc");
        write(etc.resolve("io.ovnk.launcher.cfg"), "roles = " + roles + "\nmode = " + mode + "\nfeatures =\n");
        write(etc.resolve("io.ovnk.kube.cfg"), "api.server = " + api.url("/") + "\n");
        if (roles.contains("node")) {
            write(etc.resolve("io.ovnk.cni.cfg"), String.join("\n", "socket.path = " + socket, "bin.dir = " + cniBin,
                    "conf.dir = " + cniConf, ""));
        }
        etcFiles.forEach((file, content) -> write(etc.resolve(file), content));
        if (console) {
            ovnkube.start("console");
        } else {
            ovnkube.start();
        }
        NodeAgent agent = new NodeAgent(name, chassis, ovnkube, cniBin, cniConf, socket);
        nodes.put(name, agent);
        return agent;
    }

    /**
     * A master-only ovnkube (no Node object, no chassis) with its own leader identity and short Lease timings (in
     * seconds), so that a standby takes over within seconds of the leader's death. With a Gogo console.
     */
    Ovnkube startMaster(String identity, int leaseSeconds, int renewSeconds, int retrySeconds) {
        Ovnkube ovnkube = new Ovnkube(dir.resolve(identity));
        Path etc = ovnkube.home().resolve("etc");
        write(etc.resolve("io.ovnk.launcher.cfg"), "roles = master\nmode = overlay\nfeatures =\n");
        write(etc.resolve("io.ovnk.kube.cfg"), "api.server = " + api.url("/") + "\n");
        write(etc.resolve("io.ovnk.ovsdb.connection~nb.cfg"), "database = OVN_Northbound\nremotes = "
                + stack.northbound().unixRemote() + "\n");
        write(etc.resolve("io.ovnk.kube.leader.cfg"), String.join("\n", "lease.namespace = ovn-kubernetes",
                "lease.name = ovnkube-master", "identity = " + identity, "lease.duration.seconds = " + leaseSeconds,
                "renew.deadline.seconds = " + renewSeconds, "retry.period.seconds = " + retrySeconds, ""));
        masters.add(ovnkube);
        ovnkube.start("console");
        ovnkube.await("ovnk started in", START);
        return ovnkube;
    }

    /** Nodes started from now on run with a Gogo console on their standard input ({@code bin/ovnkube console}). */
    void withConsole() {
        console = true;
    }

    /** Nodes started from now on log this logger at DEBUG (in log/ovnk.log). */
    void debug(String logger) {
        debugLoggers.add(logger);
    }

    Pod createPod(String namespace, String name, String node) {
        return kube.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withNamespace(namespace)
                .withName(name).withUid(UUID.randomUUID().toString()).endMetadata().withNewSpec().withNodeName(node)
                .addNewContainer().withName("c").withImage("pause").endContainer().endSpec().build()).create();
    }

    /** What a CNI call returned: the shim's exit code and its stdout (a result or an error, JSON). */
    record CniOutcome(int exitCode, String stdout, String stderr, long micros) {
    }

    /**
     * Executes the node's installed shim as kubelet (libcni) does: CNI_* in the environment, the plugin's entry of
     * the installed conflist on stdin with the list's name and cniVersion added.
     */
    CniOutcome cni(NodeAgent node, String command, String containerId, String netnsPath, String ifName, Pod pod,
            String extraConfig) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netnsPath);
        env.put("CNI_IFNAME", ifName);
        env.put("CNI_PATH", node.cniBin().toString());
        if (pod != null) {
            env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + pod.getMetadata().getNamespace()
                    + ";K8S_POD_NAME=" + pod.getMetadata().getName() + ";K8S_POD_INFRA_CONTAINER_ID=" + containerId
                    + ";K8S_POD_UID=" + pod.getMetadata().getUid());
        }
        return exec(node, env, pluginConfig(node, extraConfig));
    }

    CniOutcome exec(NodeAgent node, Map<String, String> env, String stdin) {
        ProcessBuilder builder = new ProcessBuilder(node.shim().toString());
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv("PATH"));
        builder.environment().putAll(env);
        long start = System.nanoTime();
        try {
            Process process = builder.start();
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = process.waitFor();
            return new CniOutcome(code, out, err, (System.nanoTime() - start) / 1000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The installed conflist's first plugin, with "name" and "cniVersion" of the list, as libcni hands it over. */
    String pluginConfig(NodeAgent node, String extra) {
        try (var files = Files.list(node.cniConf())) {
            Path conflist = files.filter(f -> f.toString().endsWith(".conflist")).findFirst()
                    .orElseThrow(() -> new AssertionError("no .conflist in " + node.cniConf()));
            tools.jackson.databind.ObjectMapper mapper = new tools.jackson.databind.ObjectMapper();
            tools.jackson.databind.node.ObjectNode list = (tools.jackson.databind.node.ObjectNode) mapper.readTree(
                    Files.readString(conflist));
            tools.jackson.databind.node.ObjectNode plugin = (tools.jackson.databind.node.ObjectNode) list.get("plugins")
                    .get(0).deepCopy();
            plugin.put("name", list.get("name").asString());
            plugin.put("cniVersion", list.get("cniVersion").asString());
            if (extra != null) {
                plugin.setAll((tools.jackson.databind.node.ObjectNode) mapper.readTree(extra));
            }
            return mapper.writeValueAsString(plugin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The mock server logs every request through java.util.logging; the levels go into the LogManager's
     * configuration, where they outlive the weakly held Logger objects.
     */
    private static void quietMockServer() {
        String config = "handlers=java.util.logging.ConsoleHandler\n.level=INFO\n"
                + "io.fabric8.mockwebserver.level=WARNING\nio.fabric8.kubernetes.client.server.mock.level=WARNING\n";
        try {
            java.util.logging.LogManager.getLogManager().readConfiguration(
                    new java.io.ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Commands commands() {
        return commands;
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        List<Throwable> failures = new ArrayList<>();
        for (NodeAgent node : nodes.values()) {
            try {
                node.ovnkube().close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        for (Ovnkube master : masters) {
            try {
                master.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        kube.close();
        try {
            api.destroy();
        } catch (RuntimeException e) {
            // the mock server blocks on watches the ovnkube processes left; it dies with the JVM
        }
        stack.close();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("stopping the cluster: " + failures);
        }
    }
}
