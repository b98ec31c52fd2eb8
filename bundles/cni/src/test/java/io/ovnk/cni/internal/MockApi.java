package io.ovnk.cni.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ovnk.kube.OvnAnnotations;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/** fabric8's mock API server in CRUD mode on loopback, with a client for it; closed with the test. */
final class MockApi implements AutoCloseable {

    final KubernetesMockServer server;
    final KubernetesClient client;

    MockApi() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    /** Creates a pod with this UID and, unless null, this k8s.ovn.org/pod-networks annotation. */
    Pod createPod(String namespace, String name, String uid, String podNetworks) {
        return client.pods().inNamespace(namespace).resource(pod(namespace, name, uid, podNetworks)).create();
    }

    /** Sets (or, with null, removes) the pod's k8s.ovn.org/pod-networks annotation. */
    Pod annotate(String namespace, String name, String podNetworks) {
        return annotate(namespace, name, podNetworks, Map.of());
    }

    /** As {@link #annotate(String, String, String)}, with {@code others} set in the same write (as a mode's are). */
    Pod annotate(String namespace, String name, String podNetworks, Map<String, String> others) {
        return client.pods().inNamespace(namespace).withName(name).edit(pod -> {
            Map<String, String> annotations = new HashMap<>(pod.getMetadata().getAnnotations() == null ? Map.of()
                    : pod.getMetadata().getAnnotations());
            annotations.putAll(others);
            if (podNetworks == null) {
                annotations.remove(OvnAnnotations.POD_NETWORKS);
            } else {
                annotations.put(OvnAnnotations.POD_NETWORKS, podNetworks);
            }
            pod.getMetadata().setAnnotations(annotations);
            return pod;
        });
    }

    void deletePod(String namespace, String name) {
        client.pods().inNamespace(namespace).withName(name).delete();
    }

    static Pod pod(String namespace, String name, String uid, String podNetworks) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withUid(uid)
                .withAnnotations(podNetworks == null ? Map.of() : Map.of(OvnAnnotations.POD_NETWORKS, podNetworks))
                .endMetadata().withNewSpec().withNodeName("node-a").endSpec().build();
    }

    @Override
    public void close() {
        client.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // the mock server cannot always stop its watches cleanly; its threads are daemons of this test JVM
        }
    }
}
