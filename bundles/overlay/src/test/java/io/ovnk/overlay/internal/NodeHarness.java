package io.ovnk.overlay.internal;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ovnk.kube.Annotator;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.internal.ClientAnnotator;
import io.ovnk.kube.internal.InformerHub;
import io.ovnk.ovnstack.Chassis;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.Row;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An overlay node as one process runs it, in plain Java: a real SB/NB/ovn-northd stack with one chassis whose
 * OVN configuration is left to the code under test, fabric8's mock API server in CRUD mode with the kube
 * bundle's informers and annotator, and the node's own Open_vSwitch client. Node set-ups (as process starts) and
 * the plumber are made on it; closing it stops them and the stack, which deletes every namespace it made.
 */
final class NodeHarness implements AutoCloseable {

    static final String NODE = "node1";

    final OvnStack stack;
    final Chassis chassis;
    final KubernetesMockServer server;
    final KubernetesClient kube;
    /** The test's own view of the chassis's Open_vSwitch database. */
    final OvsdbClient ovs;
    final NodeSettings settings;
    private final List<Agent> closeables = new ArrayList<>();

    NodeHarness() throws Exception {
        stack = OvnStack.builder().southbound().chassis(1).chassisUnconfigured().start();
        try {
            chassis = stack.chassis(0);
            server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesCrudDispatcher(), false);
            server.init(InetAddress.getLoopbackAddress(), 0);
            kube = server.createClient();
            ovs = OvsdbClients.connect(OvsdbClientConfig.of("Open_vSwitch", chassis.database().unixRemote()));
            ovs.connected().get(30, TimeUnit.SECONDS);
            settings = NodeSettings.of(NODE, chassis.encapIp(), "geneve", stack.southbound().tcpRemote(), "br-int",
                    "netdev", 1400, new String[] { "10.128.0.0/14/23" }, new String[] { "172.16.1.0/24" },
                    chassis.namespace().orElseThrow(), false);
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    /** One node agent process: its own Open_vSwitch client, informers, set-up and plumber. */
    final class Agent implements AutoCloseable {
        private final java.util.function.UnaryOperator<Annotator> annotatorWrapper;

        Agent(java.util.function.UnaryOperator<Annotator> annotatorWrapper) {
            this.annotatorWrapper = annotatorWrapper;
        }

        final OvsdbClient client = OvsdbClients.connect(OvsdbClientConfig.of("Open_vSwitch",
                chassis.database().unixRemote()));
        final KubernetesClient kubeClient = server.createClient();
        final InformerHub hub = new InformerHub(kubeClient, InformerHub.Settings.defaults()
                .withRetry(Duration.ofMillis(20), Duration.ofSeconds(2)));
        final LocalOvs localOvs = new LocalOvs(client);
        final Links links = new Links(new ProcessRunner(), settings);
        NodeSetup setup;
        OverlayPodPlumber plumber;

        Agent start() {
            setup = new NodeSetup(settings, localOvs, links, () -> hub.lister(Node.class),
                    annotatorWrapper.apply(new ClientAnnotator(kubeClient)), Duration.ofSeconds(30));
            plumber = new OverlayPodPlumber(settings, localOvs, links, setup::readiness);
            hub.addHandler(setup.nodeHandler(), "overlay-node", 1);
            setup.start();
            return this;
        }

        Agent ready() throws Exception {
            setup.ready().get(60, TimeUnit.SECONDS);
            return this;
        }

        /** The informers and API client outlive the agent until the harness closes (see MasterHarness: the mock
         * server stalls on writes to closed watches). */
        void shutdown() {
            hub.close();
            kubeClient.close();
        }

        @Override
        public void close() {
            if (setup != null) {
                hub.removeHandler(setup.nodeHandler());
                setup.close();
            }
            client.close(); // its monitors with it
        }
    }

    Agent agent() {
        return agent(java.util.function.UnaryOperator.identity());
    }

    /** An agent whose annotator is wrapped (to make it fail, say). */
    Agent agent(java.util.function.UnaryOperator<Annotator> annotatorWrapper) {
        Agent agent = new Agent(annotatorWrapper);
        closeables.add(agent);
        return agent;
    }

    /** The readiness of the agent made last. */
    io.ovnk.network.spi.Readiness lastAgentReadiness() {
        return closeables.get(closeables.size() - 1).setup.readiness();
    }

    void createNode() {
        kube.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE).endMetadata().build()).create();
    }

    /** What the master does: the node's subnet. */
    void annotateSubnet(String subnet) {
        kube.nodes().withName(NODE).edit(node -> new NodeBuilder(node).editMetadata()
                .addToAnnotations(OvnAnnotations.NODE_SUBNETS, "{\"default\":\"" + subnet + "\"}").endMetadata().build());
    }

    /** Waits (on the watch) until the Node carries the annotation, and returns its value. */
    String awaitAnnotation(String annotation) {
        Node node = kube.nodes().withName(NODE).waitUntilCondition(n -> n != null && n.getMetadata().getAnnotations() != null
                && n.getMetadata().getAnnotations().containsKey(annotation), 30, TimeUnit.SECONDS);
        return node.getMetadata().getAnnotations().get(annotation);
    }

    /** The rows of a table as the database holds them now (a select, not a cache). */
    List<Row> select(String table) throws Exception {
        return ovs.transact(List.of(Operation.select(table)), Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS).rows(0);
    }

    Row selectNamed(String table, String name) throws Exception {
        return select(table).stream().filter(row -> name.equals(row.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError(table + " " + name + " does not exist"));
    }

    /** {@code ip ...} where ovs-vswitchd and the node's interfaces live (the chassis's namespace). */
    String ipHost(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(arguments));
        return chassis.execInDatapathNamespace(command.toArray(String[]::new));
    }

    boolean hostLinkExists(String name) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", chassis.namespace().orElseThrow(), "link", "show",
                "dev", name));
        return stack.commands().exec(Duration.ofSeconds(10), command).exitCode() == 0;
    }

    Map<String, String> externalIds(Row row) {
        return row.map("external_ids");
    }

    @Override
    public void close() {
        for (Agent agent : closeables) {
            try {
                agent.close();
                agent.shutdown();
            } catch (RuntimeException e) {
                // closing the rest matters more
            }
        }
        ovs.close();
        kube.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // the mock server cannot always stop its watches cleanly; its threads are daemons of this test JVM
        }
        stack.close();
    }
}
