package io.ovnk.kube.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;

/** fabric8's mock API server in CRUD mode on loopback, with a client for it; closed with the test. */
final class MockApi implements AutoCloseable {

    final KubernetesMockServer server;
    final KubernetesClient client;

    /** Field selectors the informers asked for; the CRUD mock evaluates metadata fields only. */
    final java.util.List<String> fieldSelectors = new java.util.concurrent.CopyOnWriteArrayList<>();

    MockApi() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new FieldSelectorIgnoringDispatcher(fieldSelectors), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    /**
     * The CRUD dispatcher, except that a {@code spec.*} field selector is recorded and dropped: the mock cannot
     * evaluate it (it would answer nothing), so here it behaves like a server that ignores it.
     */
    static final class FieldSelectorIgnoringDispatcher extends KubernetesCrudDispatcher {
        private static final java.util.regex.Pattern SPEC_SELECTOR =
                java.util.regex.Pattern.compile("fieldSelector=(spec\\.[^&]*|spec%2E[^&]*)&?");
        private final java.util.List<String> seen;

        FieldSelectorIgnoringDispatcher(java.util.List<String> seen) {
            this.seen = seen;
        }

        private String strip(String path) {
            java.util.regex.Matcher matcher = SPEC_SELECTOR.matcher(path);
            if (!matcher.find()) {
                return path;
            }
            seen.add(java.net.URLDecoder.decode(matcher.group(1), java.nio.charset.StandardCharsets.UTF_8));
            String stripped = matcher.replaceFirst("");
            return stripped.endsWith("?") || stripped.endsWith("&") ? stripped.substring(0, stripped.length() - 1) : stripped;
        }

        @Override
        public io.fabric8.mockwebserver.http.MockResponse handleGet(String path) {
            return super.handleGet(strip(path));
        }

        @Override
        public io.fabric8.mockwebserver.http.MockResponse handleWatch(String path) {
            return super.handleWatch(strip(path));
        }
    }

    /** Another client of the same server, as a second process would have. */
    KubernetesClient newClient() {
        return server.createClient();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
