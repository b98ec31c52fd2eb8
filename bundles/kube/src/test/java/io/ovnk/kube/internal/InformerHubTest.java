package io.ovnk.kube.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ovnk.kube.Lister;
import io.ovnk.kube.QueueStats;
import io.ovnk.kube.ResourceHandler;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InformerHubTest {

    private final MockApi api = new MockApi();
    private InformerHub hub;

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close();
        }
        api.close();
    }

    /** Records calls as "added ns/name", "updated ns/name label", "deleted ns/name". */
    static final class Calls<T extends io.fabric8.kubernetes.api.model.HasMetadata> implements ResourceHandler<T> {
        final Class<T> type;
        final BlockingQueue<String> calls = new LinkedBlockingQueue<>();

        Calls(Class<T> type) {
            this.type = type;
        }

        @Override
        public Class<T> resourceType() {
            return type;
        }

        @Override
        public void added(T resource) {
            calls.add("added " + KeyedQueue.key(resource));
        }

        @Override
        public void updated(T previous, T current) {
            Map<String, String> labels = current.getMetadata().getLabels();
            calls.add("updated " + KeyedQueue.key(current) + " " + (labels == null ? "" : labels.get("v")));
        }

        @Override
        public void deleted(T resource) {
            calls.add("deleted " + KeyedQueue.key(resource));
        }

        String next() throws InterruptedException {
            String call = calls.poll(10, TimeUnit.SECONDS);
            if (call == null) {
                throw new AssertionError("no call within 10 s");
            }
            return call;
        }
    }

    private static Pod pod(String namespace, String name, String node) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withNodeName(node).endSpec().build();
    }

    @Test
    void handlersReceiveAddsUpdatesAndDeletesOfTheirKind() throws Exception {
        hub = new InformerHub(api.client, InformerHub.Settings.defaults());
        Calls<Pod> pods = new Calls<>(Pod.class);
        Calls<Node> nodes = new Calls<>(Node.class);
        hub.addHandler(pods, "pods", 2);
        hub.addHandler(nodes, "nodes", 1);
        api.client.pods().inNamespace("default").resource(pod("default", "web-1", "node-a")).create();
        assertEquals("added default/web-1", pods.next());
        api.client.pods().inNamespace("default").withName("web-1").edit(p -> new PodBuilder(p).editMetadata()
                .addToLabels("v", "2").endMetadata().build());
        assertEquals("updated default/web-1 2", pods.next());
        api.client.pods().inNamespace("default").withName("web-1").delete();
        assertEquals("deleted default/web-1", pods.next());
        api.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().build()).create();
        assertEquals("added node-a", nodes.next());
        assertTrue(pods.calls.isEmpty() || !pods.calls.peek().contains("node-a"), "kinds do not mix");
    }

    @Test
    void aLateHandlerFirstGetsEveryExistingObject() throws Exception {
        for (int i = 0; i < 25; i++) {
            api.client.pods().inNamespace("ns" + (i % 3)).resource(pod("ns" + (i % 3), "p" + i, "node-a")).create();
        }
        hub = new InformerHub(api.client, InformerHub.Settings.defaults());
        Lister<Pod> lister = hub.lister(Pod.class);
        Calls<Pod> early = new Calls<>(Pod.class);
        hub.addHandler(early, "early", 2);
        for (int i = 0; i < 25; i++) {
            assertTrue(early.next().startsWith("added "));
        }
        Calls<Pod> late = new Calls<>(Pod.class);
        hub.addHandler(late, "late", 1);
        for (int i = 0; i < 25; i++) {
            assertTrue(late.next().startsWith("added "));
        }
        // with one worker, the call for a 26th pod means the 25th call has been accounted for; a watch that
        // reconnects on a loaded machine relists, and the relist may report existing pods as updated: those, and
        // only those, may come first
        api.client.pods().inNamespace("ns9").resource(pod("ns9", "p25", "node-a")).create();
        String next = late.next();
        while (next.startsWith("updated ") && !next.contains("/p25")) {
            next = late.next();
        }
        assertEquals("added ns9/p25", next);
        assertTrue(lister.hasSynced());
        assertEquals(26, lister.list().size());
        assertEquals(9, lister.list("ns0").size());
        assertEquals("node-a", lister.get("ns1", "p1").orElseThrow().getSpec().getNodeName());
        assertTrue(lister.get("ns1", "p0").isEmpty());
        QueueStats stats = hub.queues().stream().filter(q -> q.handler().equals("late")).findFirst().orElseThrow();
        assertEquals("Pod", stats.kind());
        assertTrue(stats.handled() >= 25, "handled " + stats.handled());
        assertEquals(0, stats.failures());
    }

    @Test
    void aNodeProcessSeesOnlyThePodsOfItsNode() throws Exception {
        hub = new InformerHub(api.client, InformerHub.Settings.defaults().withPodNode("node-a"));
        Calls<Pod> pods = new Calls<>(Pod.class);
        hub.addHandler(pods, "pods", 1);
        api.client.pods().inNamespace("default").resource(pod("default", "elsewhere", "node-b")).create();
        api.client.pods().inNamespace("default").resource(pod("default", "here", "node-a")).create();
        assertEquals("added default/here", pods.next());
        // a witness for ordering: once a later pod of node-a has arrived, node-b's earlier one was passed over
        api.client.pods().inNamespace("default").resource(pod("default", "here-too", "node-a")).create();
        assertEquals("added default/here-too", pods.next());
        assertTrue(pods.calls.isEmpty(), "the pod of node-b never arrives: " + pods.calls);
        assertTrue(api.fieldSelectors.contains("spec.nodeName=node-a"), "the server was asked for node-a's pods only: "
                + api.fieldSelectors);
    }

    @Test
    void servicesEndpointSlicesAndNamespacesAreFollowedToo() throws Exception {
        hub = new InformerHub(api.client, InformerHub.Settings.defaults());
        Calls<io.fabric8.kubernetes.api.model.Service> services = new Calls<>(io.fabric8.kubernetes.api.model.Service.class);
        Calls<io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice> slices =
                new Calls<>(io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice.class);
        Calls<io.fabric8.kubernetes.api.model.Namespace> namespaces = new Calls<>(io.fabric8.kubernetes.api.model.Namespace.class);
        hub.addHandler(services, "services", 1);
        hub.addHandler(slices, "slices", 1);
        hub.addHandler(namespaces, "namespaces", 1);
        api.client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName("shop").endMetadata().build()).create();
        api.client.services().inNamespace("shop").resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withNamespace("shop").withName("web").endMetadata().withNewSpec()
                .addNewPort().withPort(80).endPort().endSpec().build()).create();
        api.client.discovery().v1().endpointSlices().inNamespace("shop").resource(
                new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder().withNewMetadata()
                        .withNamespace("shop").withName("web-abc").endMetadata().withAddressType("IPv4").build()).create();
        assertEquals("added shop", namespaces.next());
        assertEquals("added shop/web", services.next());
        assertEquals("added shop/web-abc", slices.next());
    }

    @Test
    void aResyncRedeliversUnchangedObjectsAsUpdates() throws Exception {
        hub = new InformerHub(api.client, new InformerHub.Settings(java.time.Duration.ofSeconds(1), null,
                new Backoff(java.time.Duration.ofMillis(5), java.time.Duration.ofSeconds(1)), 1));
        Calls<Node> nodes = new Calls<>(Node.class);
        hub.addHandler(nodes, "nodes", 1);
        api.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("quiet").endMetadata().build()).create();
        assertEquals("added quiet", nodes.next());
        assertEquals("updated quiet null", nodes.next(), "nothing changed, yet the resync delivers it again");
    }

    @Test
    void aRemovedHandlerHearsNothingMore() throws Exception {
        hub = new InformerHub(api.client, InformerHub.Settings.defaults());
        Calls<Pod> pods = new Calls<>(Pod.class);
        hub.addHandler(pods, "pods", 1);
        api.client.pods().inNamespace("default").resource(pod("default", "a", "node-a")).create();
        assertEquals("added default/a", pods.next());
        hub.removeHandler(pods);
        Calls<Pod> witness = new Calls<>(Pod.class);
        hub.addHandler(witness, "witness", 1);
        assertEquals("added default/a", witness.next());
        api.client.pods().inNamespace("default").resource(pod("default", "b", "node-a")).create();
        assertEquals("added default/b", witness.next());
        assertTrue(pods.calls.isEmpty(), "the removed handler got " + pods.calls);
        assertEquals(1, hub.queues().size());
    }
}
