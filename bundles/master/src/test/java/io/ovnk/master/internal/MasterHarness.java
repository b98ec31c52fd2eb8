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
    /** The API endpoint; replaced (same port, same content) by {@link #restartApi()}. */
    volatile KubernetesMockServer server;
    private KubernetesCrudDispatcher api;
    private final int apiPort;
    /** Where each term's master connects to the Northbound. */
    private final OvsdbClientConfig masterNorthbound;
    final KubernetesClient kube;
    final OvsdbClient nb;
    /** The observer's Southbound client; null on a stack without a Southbound (a RAFT Northbound only). */
    final OvsdbClient sb;
    final AtomicReference<PodPortBinder> binder = new AtomicReference<>(new io.ovnk.overlay.internal.OverlayPortBinder());
    private final List<AutoCloseable> terms = new ArrayList<>();

    MasterHarness() throws Exception {
        this(OvnStack.builder().southbound().start(), false);
    }

    /**
     * On a three-member RAFT Northbound (no Southbound), which the masters reach through all members, leader only,
     * as ovnkube-master does.
     */
    static MasterHarness onRaftNorthbound() throws Exception {
        return new MasterHarness(OvnStack.raftNorthbound(), true);
    }

    private MasterHarness(OvnStack stack, boolean raft) throws Exception {
        this.stack = stack;
        api = new KubernetesCrudDispatcher();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), api, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        apiPort = server.getPort();
        kube = server.createClient();
        String northbound = raft ? stack.raft().remotes() : stack.northbound().unixRemote();
        masterNorthbound = OvsdbClientConfig.of("OVN_Northbound", northbound).withLeaderOnly(raft);
        nb = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", northbound));
        nb.connected().get(30, TimeUnit.SECONDS);
        if (raft) {
            sb = null;
        } else {
            sb = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Southbound", stack.southbound().unixRemote()));
            sb.connected().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Stops the API endpoint and starts a new one on the same port with the same objects and a resource version
     * that goes on from where the old one stopped, as an API server restarted on its etcd would: every open
     * watch and request of every client breaks, and their informers must recover on their own.
     */
    synchronized void restartApi() {
        KubernetesCrudDispatcher old = api;
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // see close(): the old server's watches may not stop cleanly; it no longer listens either way
        }
        long last = old.requestResourceVersion();
        KubernetesCrudDispatcher fresh = new RestartedApi(last);
        fresh.getMap().putAll(old.getMap());
        while (fresh.requestResourceVersion() < last) {
            // resource versions only grow across the restart, as etcd's do
        }
        api = fresh;
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), fresh, false);
        server.init(InetAddress.getLoopbackAddress(), apiPort);
    }

    /** A new leadership term on its own informers, IPAM and NB client, as a freshly started master process has. */
    Term term(int podWorkers) throws Exception {
        Term term = new Term(podWorkers);
        terms.add(term);
        return term;
    }

    /**
     * The API server after its restart: it knows every object, but its watch cache starts at {@code first}, so a
     * watch resuming from an earlier resource version is answered 410 Gone ("too old resource version"), as
     * kube-apiserver answers it; the client must list again. (fabric8's mock would otherwise accept the old version
     * and silently send nothing of what changed before the watch came back.)
     */
    private static final class RestartedApi extends KubernetesCrudDispatcher {
        private static final java.util.regex.Pattern VERSION = java.util.regex.Pattern.compile("[?&]resourceVersion=(\\d+)");
        private final long first;

        RestartedApi(long first) {
            this.first = first;
        }

        @Override
        public io.fabric8.mockwebserver.http.MockResponse handleWatch(String path) {
            java.util.regex.Matcher version = VERSION.matcher(path);
            if (version.find() && Long.parseLong(version.group(1)) < first) {
                // as kube-apiserver does it: the watch opens, says ERROR with a 410 Status, and ends
                String expired = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                        + "\"status\":\"Failure\",\"reason\":\"Expired\",\"code\":410,\"message\":"
                        + "\"too old resource version: " + version.group(1) + " (" + first + ")\"}}";
                return new io.fabric8.mockwebserver.http.MockResponse().withWebSocketUpgrade(
                        new io.fabric8.mockwebserver.http.WebSocketListener() {
                            @Override
                            public void onOpen(io.fabric8.mockwebserver.http.WebSocket socket,
                                    io.fabric8.mockwebserver.http.Response response) {
                                socket.send(expired);
                                socket.close(1000, "");
                            }
                        });
            }
            return super.handleWatch(path);
        }
    }

    /** One master process: its own clients, allocator and informers; closing it is the process stopping. */
    final class Term implements AutoCloseable {
        final KubernetesClient client = server.createClient();
        final OvsdbClient northbound = OvsdbClients.connect(masterNorthbound);
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
        if (sb != null) {
            sb.close();
        }
        kube.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // the mock server cannot always stop its watches cleanly; its threads are daemons of this test JVM
        }
        stack.close();
    }
}
