package io.ovnk.itests.framework;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * fabric8's mock API server in CRUD mode, run in the test driver (outside the framework). A class of its own
 * so that the test class, which is also loaded inside the framework, never refers to mock-server types.
 */
final class MockApiServer {

    private MockApiServer() {
    }

    /** Starts a server holding one Node, "node-a"; it lives as long as the JVM. Returns its URL. */
    static String startWithOneNode() {
        return startWithNodes("node-a");
    }

    /** Starts a server holding the named Nodes; it lives as long as the JVM. Returns its URL. */
    static String startWithNodes(String... names) {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient seed = server.createClient()) {
            for (String name : names) {
                seed.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
            }
        }
        return server.url("/");
    }
}
