package io.ovnk.master.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ovnk.ipam.internal.IpamAllocator;
import io.ovnk.kube.internal.ClientAnnotator;
import io.ovnk.kube.internal.InformerHub;
import io.ovnk.network.spi.PodPortBinder;
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
import java.util.concurrent.atomic.AtomicReference;

/**
 * A master as one process runs it, in plain Java: a real NB/SB/ovn-northd stack, fabric8's mock API server in
 * CRUD mode, the kube bundle's informers and annotator, an IPAM, and the overlay binder. Masters can be started
 * and stopped (closed) on it repeatedly, as leadership terms.
 */
final class MasterHarness implements AutoCloseable {

    static final String[] CLUSTER = { "10.128.0.0/14/23" };

    final OvnStack stack;
    final KubernetesMockServer server;
    final KubernetesClient kube;
    final OvsdbClient nb;
    final OvsdbClient sb;
    final AtomicReference<PodPortBinder> binder = new AtomicReference<>(new io.ovnk.overlay.internal.OverlayPortBinder());
    private final List<AutoCloseable> terms = new ArrayList<>();

    MasterHarness() throws Exception {
        stack = OvnStack.builder().southbound().start();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        kube = server.createClient();
        nb = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()));
        sb = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Southbound", stack.southbound().unixRemote()));
        nb.connected().get(30, TimeUnit.SECONDS);
        sb.connected().get(30, TimeUnit.SECONDS);
    }

    /** A new leadership term on its own informers, IPAM and NB client, as a freshly started master process has. */
    Term term(int podWorkers) throws Exception {
        Term term = new Term(podWorkers);
        terms.add(term);
        return term;
    }

    /** One master process: its own clients, allocator and informers; closing it is the process stopping. */
    final class Term implements AutoCloseable {
        final KubernetesClient client = server.createClient();
        final OvsdbClient northbound = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound",
                stack.northbound().unixRemote()));
        final InformerHub hub = new InformerHub(client, InformerHub.Settings.defaults()
                .withRetry(Duration.ofMillis(20), Duration.ofSeconds(2)));
        final IpamAllocator ipam = IpamAllocator.of(CLUSTER, new String[] { "172.16.1.0/24" },
                new String[] { "100.64.0.0/16" }, new String[0], new int[0]);
        final MasterMetrics metrics = new MasterMetrics();
        final Master master;

        Term(int podWorkers) {
            MasterContext context = new MasterContext(new Northbound(northbound, Duration.ofSeconds(30)), ipam, hub,
                    new ClientAnnotator(client), new KubeEvents(client), binder::get, metrics);
            master = new Master(context, (handler, name, workers) -> {
                hub.addHandler(handler, name, workers);
                return () -> hub.removeHandler(handler);
            }, new Master.Workers(2, podWorkers, 2));
        }

        Term started() throws Exception {
            master.start().get(2, TimeUnit.MINUTES);
            return this;
        }

        /**
         * The process stops working: its master ends. Its watches stay open until the harness closes, because
         * fabric8's mock server blocks its event loop for 30 s on the next write to a closed watch, which would
         * stall the next term's requests.
         */
        void stop() {
            master.close();
        }

        @Override
        public void close() {
            master.close();
            hub.close();
            northbound.close();
            client.close();
        }
    }

    @Override
    public void close() {
        for (AutoCloseable term : terms) {
            try {
                term.close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
        nb.close();
        sb.close();
        kube.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // the mock server cannot always stop its watches cleanly; its threads are daemons of this test JVM
        }
        stack.close();
    }
}
