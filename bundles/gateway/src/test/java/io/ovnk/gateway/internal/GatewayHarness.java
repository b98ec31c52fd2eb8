package io.ovnk.gateway.internal;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.internal.IpamAllocator;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.internal.InformerHub;
import io.ovnk.master.internal.MasterForGatewayTests;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's master side as a leading process runs it, in plain Java: a real NB/SB/northd stack with one
 * chassis, fabric8's mock API server in CRUD mode, the kube bundle's informers, an IPAM, the real master (the
 * cluster router, join switch and node switches the gateway hangs on) and gateway terms that can be started and
 * stopped as leadership comes and goes.
 */
final class GatewayHarness implements AutoCloseable {

    static final Cidr JOIN = Cidr.parse("100.64.0.0/16");

    final OvnStack stack;
    final KubernetesMockServer server;
    final KubernetesClient kube;
    final OvsdbClient nb;
    final InformerHub hub;
    /** The test's own view: a second Northbound client monitoring routers and load balancers, for event-driven waits. */
    final OvsdbClient watch;
    final IpamAllocator ipam = IpamAllocator.of(new String[] { "10.128.0.0/14/23" }, new String[] { "172.16.1.0/24" },
            new String[] { JOIN.toString() }, new String[0], new int[0]);
    private final AutoCloseable master;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    GatewayHarness(OvnStack stack) throws Exception {
        this.stack = stack;
        try {
            server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesCrudDispatcher(), false);
            server.init(InetAddress.getLoopbackAddress(), 0);
            kube = server.createClient();
            nb = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()));
            nb.connected().get(30, TimeUnit.SECONDS);
            watch = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()));
            watch.monitor(io.ovnk.ovsdb.TableMonitor.of("Logical_Router"), io.ovnk.ovsdb.TableMonitor.of("Load_Balancer"))
                    .get(30, TimeUnit.SECONDS);
            hub = new InformerHub(kube, InformerHub.Settings.defaults().withRetry(Duration.ofMillis(20), Duration.ofSeconds(2)));
            master = MasterForGatewayTests.start(nb, ipam, hub, kube);
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    /** A gateway master term (its own Northbound view and problem book on the shared clients), started. */
    GatewayMaster term(String range) throws Exception {
        GatewayMaster term = new GatewayMaster(new Northbound(nb, Duration.ofSeconds(30)), hub,
                new Problems(kube, "ovnk-gateway"), (handler, name, workers) -> {
                    hub.addHandler(handler, name, workers);
                    return () -> hub.removeHandler(handler);
                }, new GatewayMaster.Settings(List.of(Cidr.parse("10.128.0.0/14")), JOIN, "physnet",
                        NodePorts.Range.parse(range), 2));
        closeables.add(term);
        term.start().get(2, TimeUnit.MINUTES);
        return term;
    }

    static String gatewayConfig(String node, String mac, String cidr, String nextHop) {
        return "{\"default\":{\"mode\":\"shared\",\"interface-id\":\"br-ex_" + node + "\",\"mac-address\":\"" + mac
                + "\",\"ip-addresses\":[\"" + cidr + "\"],\"next-hops\":[\"" + nextHop + "\"],\"node-port-enable\":\"true\","
                + "\"vlan-id\":\"0\"}}";
    }

    /** A Node with a gateway annotation (null: none) on the chassis. */
    Node createNode(String name, String chassis, String gatewayConfig) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name)
                .addToAnnotations(OvnAnnotations.NODE_CHASSIS_ID, chassis).endMetadata();
        if (gatewayConfig != null) {
            node.editMetadata().addToAnnotations(OvnAnnotations.L3_GATEWAY_CONFIG, gatewayConfig).endMetadata();
        }
        return kube.nodes().resource(node.build()).create();
    }

    String nbctl(String... arguments) {
        return stack.nbctl(arguments).trim();
    }

    /** Waits, event-driven on the NB's own wait-until, for a row to have a column value. */
    void awaitRow(String table, String record, String condition) {
        stack.nbctl("wait-until", table, record, condition);
    }

    /** Completes with the first Event (in namespace default) about the object with the reason, event-driven. */
    java.util.concurrent.CompletableFuture<io.fabric8.kubernetes.api.model.Event> awaitEvent(String object, String reason) {
        java.util.concurrent.CompletableFuture<io.fabric8.kubernetes.api.model.Event> found =
                new java.util.concurrent.CompletableFuture<>();
        var informer = kube.v1().events().inNamespace("default").inform(
                new io.fabric8.kubernetes.client.informers.ResourceEventHandler<io.fabric8.kubernetes.api.model.Event>() {
                    @Override
                    public void onAdd(io.fabric8.kubernetes.api.model.Event e) {
                        if (object.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())) {
                            found.complete(e);
                        }
                    }

                    @Override
                    public void onUpdate(io.fabric8.kubernetes.api.model.Event before,
                            io.fabric8.kubernetes.api.model.Event after) {
                        onAdd(after);
                    }

                    @Override
                    public void onDelete(io.fabric8.kubernetes.api.model.Event e, boolean unknown) {
                        // not what is awaited
                    }
                });
        // closed with the harness, not when found: fabric8's mock server blocks its event loop for 30 s on the next
        // write to a watch closed under it, which would stall every request after
        closeables.add(informer);
        return found;
    }

    @Override
    public void close() {
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
        try {
            master.close();
        } catch (Exception e) {
            // the stack goes next
        }
        hub.close();
        watch.close();
        nb.close();
        kube.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // the mock server cannot always stop its watches cleanly
        }
        stack.close();
    }
}
