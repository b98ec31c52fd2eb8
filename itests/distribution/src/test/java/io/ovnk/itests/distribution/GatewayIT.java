package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.ovnk.itests.distribution.Cluster.NodeAgent;
import io.ovnk.ovnstack.CommandException;
import io.ovnk.ovnstack.junit.RequiresOvn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The gateway bundle deployed into a running ovnkube (master and node roles, overlay, no gateway feature): an
 * external host on the node's uplink reaches a pod through a NodePort without a restart; a new jar of the bundle
 * does not cut an established connection; the first NodePort connection from the external host, before any other
 * traffic, works; gateway:cleanup typed into the running process's Gogo console stops the gateway master and removes
 * the gateway's rows only (the NodePort stops answering, pods still talk), and gateway:enable brings it all back.
 */
@RequiresOvn
class GatewayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE_IP = "172.30.0.2";
    private static final String EXTERNAL_IP = "172.30.0.1";
    private static final Duration LIVE = Duration.ofSeconds(60);
    private static final Path GATEWAY_JAR = Ovnkube.DISTRIBUTION.resolve("system/io/ovnk/gateway/"
            + System.getProperty("ovnk.version") + "/gateway-" + System.getProperty("ovnk.version") + ".jar");

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void hotDeployedGatewayServesNodePortsKeepsFlowsAcrossAnUpdateAndCleansUpOnlyItsRows() throws Exception {
        try (Cluster cluster = new Cluster(dir, 1)) {
            // the external host, wired to the chassis's uplink (both namespaces are the stack's: removed with it)
            io.ovnk.ovnstack.Pod external = cluster.stack.createPod("external");
            String chassisNs = cluster.stack.chassis(0).namespace().orElseThrow();
            cluster.commands().run("ip", "link", "add", "gw0", "netns", chassisNs, "type", "veth", "peer", "name",
                    "eth0", "netns", external.namespace());
            external.exec("ip", "addr", "add", EXTERNAL_IP + "/24", "dev", "eth0");
            external.exec("ip", "link", "set", "eth0", "up");
            external.exec("ethtool", "-K", "eth0", "tx", "off");
            cluster.stack.chassis(0).execInDatapathNamespace("ip", "link", "set", "gw0", "up");

            cluster.withConsole(); // gateway:cleanup and gateway:enable are typed into the running process's Gogo shell
            NodeAgent node = cluster.startNode("node-a", 0, "master, node", "", String.join("\n",
                    "node.name = node-a", "uplink = gw0", "ip = " + NODE_IP + "/24", "next.hop = " + EXTERNAL_IP,
                    "host.netns = " + chassisNs, "datapath.type = netdev", ""));
            node.ovnkube().awaitAnywhere("node node-a: overlay set-up complete", Cluster.START);

            Pod api = cluster.createPod("default", "web", "node-a");
            io.ovnk.ovnstack.Pod web = cluster.stack.createPod("web");
            CniOutcomeCheck.ok(cluster.cni(node, "ADD", sandbox(), "/var/run/netns/" + web.namespace(), "eth0", api,
                    null));
            String podIp = JSON.readTree(cluster.kube.pods().inNamespace("default").withName("web").get().getMetadata()
                    .getAnnotations().get("k8s.ovn.org/pod-networks")).get("default").get("ip_addresses").get(0)
                    .asString().split("/")[0];
            serve(web, "$s=IO::Socket::INET->new(LocalPort=>8080,Listen=>5,ReuseAddr=>1) or die $!; print \"ready\\n\"; "
                    + "while($c=$s->accept){ $c->autoflush(1); while($l=<$c>){ print $c \"echo:$l\" } close $c }");
            cluster.kube.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata()
                    .withNamespace("default").withName("web").endMetadata().withNewSpec().withType("NodePort")
                    .withClusterIP("172.16.1.20").addNewPort().withPort(80).withNodePort(30080).withProtocol("TCP")
                    .withTargetPort(new IntOrString(8080)).endPort().endSpec().build()).create();
            cluster.kube.discovery().v1().endpointSlices().inNamespace("default").resource(new EndpointSliceBuilder()
                    .withNewMetadata().withNamespace("default").withName("web-1")
                    .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
                    .addNewEndpoint().withAddresses(podIp).withNewConditions().withReady(true).endConditions()
                    .endEndpoint().addNewPort().withPort(8080).withProtocol("TCP").endPort().build()).create();

            // hot deploy: the bundle arrives in deploy/, its node side and master side start, NodePorts work
            Path deployed = node.ovnkube().home().resolve("deploy/io.ovnk.gateway.jar");
            Files.copy(GATEWAY_JAR, deployed);
            node.ovnkube().awaitAnywhere("deploy/io.ovnk.gateway.jar: started io.ovnk.gateway", Duration.ofSeconds(30));
            cluster.stack.nbctl("--timeout=60", "wait-until", "Logical_Router", "GR_node-a",
                    "external_ids:physical_ip=" + NODE_IP);
            cluster.stack.nbctl("--timeout=60", "wait-until", "Load_Balancer", "Service_nodeports_node-a_TCP",
                    "vips:\"" + NODE_IP + ":30080\"=\"" + podIp + ":8080\"");
            cluster.stack.nbctl("--timeout=60", "--wait=hv", "sync");
            // the first traffic between the external host and the node: a NodePort connection (the gateway router
            // has not learned the external host)
            PersistentClient client = new PersistentClient(external, NODE_IP, 30080);
            assertEquals("echo:before", client.send("before"), "NodePort from the external host after a hot deploy");
            // a pod reaches the external host, which sees the node's IP (SNAT on the gateway router)
            serve(external, "$s=IO::Socket::INET->new(LocalPort=>9000,Listen=>5,ReuseAddr=>1) or die $!; "
                    + "print \"ready\\n\"; while($c=$s->accept){print $c $c->peerhost.\"\\n\"; close $c}");
            assertEquals(NODE_IP, web.exec("timeout", "10", "bash", "-c", "exec 3<>/dev/tcp/" + EXTERNAL_IP
                    + "/9000; head -1 <&3").strip(), "the external host sees the node's IP");

            // an update (a new jar) while the connection is open: the connection carries on
            Path fresh = dir.resolve("io.ovnk.gateway.jar");
            Files.copy(GATEWAY_JAR, fresh, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(fresh, FileTime.from(Instant.now().plusSeconds(5)));
            Files.move(fresh, deployed, StandardCopyOption.REPLACE_EXISTING);
            node.ovnkube().await("deploy/io.ovnk.gateway.jar: updated", Duration.ofSeconds(30));
            node.ovnkube().await("deploy/io.ovnk.gateway.jar: started io.ovnk.gateway", Duration.ofSeconds(30));
            assertEquals("echo:after", client.send("after"), "the established connection survived the update");
            client.close();

            // a second pod on the node, for east-west traffic after the clean-up
            Pod api2 = cluster.createPod("default", "client", "node-a");
            io.ovnk.ovnstack.Pod client2 = cluster.stack.createPod("client");
            CniOutcomeCheck.ok(cluster.cni(node, "ADD", sandbox(), "/var/run/netns/" + client2.namespace(), "eth0", api2,
                    null));

            // gateway:cleanup in the running process: it stops the gateway master, then removes every gateway row
            String routersBefore = cluster.stack.nbctl("--bare", "--columns=name", "list", "Logical_Router");
            assertTrue(routersBefore.contains("GR_node-a"), routersBefore);
            String clusterRouterBefore = nbRow(cluster, "Logical_Router", "ovn_cluster_router");
            String joinBefore = cluster.stack.nbctl("--bare", "--columns=_uuid", "find", "Logical_Switch", "name=join")
                    .strip();
            String nodeSwitchBefore = cluster.stack.nbctl("--bare", "--columns=_uuid,other_config", "find",
                    "Logical_Switch", "name=node-a").strip();
            String podPortBefore = nbRow(cluster, "Logical_Switch_Port", "default_web");
            assertTrue(!cluster.stack.nbctl("--bare", "--columns=_uuid", "find", "Logical_Router_Static_Route",
                    "policy=src-ip").isBlank(), "the gateway's source route on ovn_cluster_router");
            int start = node.ovnkube().output().size();
            gogo(node, "gateway:cleanup");
            int removed = Integer.parseInt(node.ovnkube().await("(\\d+) gateway rows removed; the gateway master of this "
                    + "process is stopped and disabled\\. gateway:enable starts it again", LIVE).group(1));
            List<String> printed = node.ovnkube().output().subList(start, node.ovnkube().output().size());
            String text = String.join("\n", printed);
            assertEquals(removed, printed.stream().filter(l -> l.matches("(g! )?removed .*")).count(), text);
            for (String row : List.of("Logical_Router GR_node-a (node-a)", "Logical_Switch ext_node-a (node-a)",
                    "Logical_Switch_Port jtor-GR_node-a (node-a)", "Load_Balancer Service_nodeports_node-a_TCP (node-a)",
                    "Static_MAC_Binding rtoj-GR_node-a ")) {
                assertTrue(printed.stream().anyMatch(l -> l.contains("removed " + row)), row + " in:\n" + text);
            }
            // the master stopped before anything was removed
            int stopped = indexOf(printed, "gateway master: term ended");
            assertTrue(stopped >= 0 && stopped < indexOf(printed, "removed "), text);
            for (String[] gone : new String[][] { { "Logical_Router", "name=GR_node-a" },
                { "Logical_Switch", "name=ext_node-a" }, { "Logical_Switch_Port", "name=jtor-GR_node-a" },
                { "Logical_Switch_Port", "name=etor-GR_node-a" }, { "Logical_Router_Port", "name=rtoj-GR_node-a" },
                { "Load_Balancer", "name=Service_nodeports_node-a_TCP" },
                { "Static_MAC_Binding", "logical_port=rtoj-GR_node-a" },
                { "Logical_Router_Static_Route", "policy=src-ip" } }) {
                assertEquals("", cluster.stack.nbctl("--bare", "--columns=_uuid", "find", gone[0], gone[1]).strip(),
                        gone[0] + " " + gone[1]);
            }
            assertEquals("", cluster.stack.nbctl("--bare", "--columns=_uuid", "find", "Load_Balancer",
                    "external_ids:\"k8s.ovn.org/owner-controller\"=ovnk-gateway").strip());
            assertTrue(cluster.stack.nbctl("--bare", "--columns=name", "list", "Logical_Switch_Port").lines()
                    .noneMatch(l -> l.contains("GR_node-a")), "no port of the join switch names the gateway router");
            // the master's rows are untouched (the cluster router less its source route, which was the gateway's)
            assertEquals(clusterRouterBefore.replaceAll("static_routes\\s*:.*", ""),
                    nbRow(cluster, "Logical_Router", "ovn_cluster_router").replaceAll("static_routes\\s*:.*", ""));
            assertEquals(joinBefore, cluster.stack.nbctl("--bare", "--columns=_uuid", "find", "Logical_Switch",
                    "name=join").strip());
            assertEquals(nodeSwitchBefore, cluster.stack.nbctl("--bare", "--columns=_uuid,other_config", "find",
                    "Logical_Switch", "name=node-a").strip());
            assertEquals(podPortBefore.replaceAll("up\\s*:.*", ""), nbRow(cluster, "Logical_Switch_Port", "default_web")
                    .replaceAll("up\\s*:.*", ""));
            cluster.stack.nbctl("--timeout=60", "--wait=hv", "sync");
            // north-south is gone, east-west is not
            assertThrows(CommandException.class, () -> external.exec("timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/"
                    + NODE_IP + "/30080; echo gone >&3; cat <&3"), "the NodePort no longer answers");
            assertEquals("echo:east-west", client2.exec("timeout", "10", "bash", "-c", "exec 3<>/dev/tcp/" + podIp
                    + "/8080; echo east-west >&3; head -1 <&3").strip(), "a pod still reaches another pod");

            // gateway:enable: the master's next term re-creates the gateway, and NodePorts work again
            gogo(node, "gateway:enable");
            node.ovnkube().await("the gateway master of this process is enabled", LIVE);
            cluster.stack.nbctl("--timeout=60", "wait-until", "Load_Balancer", "Service_nodeports_node-a_TCP",
                    "vips:\"" + NODE_IP + ":30080\"=\"" + podIp + ":8080\"");
            cluster.stack.nbctl("--timeout=60", "--wait=hv", "sync");
            PersistentClient again = new PersistentClient(external, NODE_IP, 30080);
            assertEquals("echo:again", again.send("again"), "NodePort after gateway:enable");
            again.close();

            // removing the bundle leaves what it programmed
            Files.delete(deployed);
            node.ovnkube().await("deploy/io.ovnk.gateway.jar: uninstalled", Duration.ofSeconds(30));
            assertTrue(cluster.stack.nbctl("--bare", "--columns=name", "list", "Logical_Router").contains("GR_node-a"),
                    "stopping the bundle leaves what it programmed");
        }
    }

    private static void gogo(NodeAgent node, String command) throws Exception {
        node.ovnkube().stdin().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        node.ovnkube().stdin().flush();
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    private static String nbRow(Cluster cluster, String table, String name) {
        return cluster.stack.nbctl("list", table, name);
    }

    private static String sandbox() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    /** Starts a perl server in a namespace and waits for its "ready" line; stopped by PID after the test. */
    private void serve(io.ovnk.ovnstack.Pod where, String script) throws Exception {
        Process process = new ProcessBuilder("ip", "netns", "exec", where.namespace(), "perl", "-MIO::Socket::INET",
                "-e", "$|=1; " + script).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(10, TimeUnit.SECONDS));
    }

    /** One TCP connection from the external host, kept open: each line sent comes back echoed. */
    private final class PersistentClient implements AutoCloseable {
        private final Process process;
        private final PrintWriter in;
        private final BufferedReader out;

        PersistentClient(io.ovnk.ovnstack.Pod from, String ip, int port) throws Exception {
            process = new ProcessBuilder("ip", "netns", "exec", from.namespace(), "perl", "-MIO::Socket::INET", "-e",
                    "$|=1; my $s = IO::Socket::INET->new(PeerAddr => '" + ip + ":" + port + "', Timeout => 10) or die "
                            + "\"connect: $!\\n\"; $s->autoflush(1); while (my $l = <STDIN>) { print $s $l; "
                            + "my $r = <$s>; defined $r or die \"connection closed\\n\"; print $r }")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            processes.add(process);
            in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        String send(String line) throws Exception {
            in.println(line);
            String reply = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(15, TimeUnit.SECONDS);
            return reply == null ? "(connection closed)" : reply.strip();
        }

        @Override
        public void close() {
            in.close();
        }
    }

    /** An ADD that must succeed. */
    private static final class CniOutcomeCheck {
        static JsonNode ok(Cluster.CniOutcome outcome) {
            assertEquals(0, outcome.exitCode(), "ADD: " + outcome.stdout() + outcome.stderr());
            return JSON.readTree(outcome.stdout());
        }
    }
}
