package io.ovnk.kube.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ovnk.kube.KubeException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientAnnotatorTest {

    private final MockApi api = new MockApi();
    private final ClientAnnotator annotator = new ClientAnnotator(api.client);

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void aConflictingWriteIsRecomputedFromAFreshReadAndNothingIsLost() {
        api.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a")
                .addToAnnotations("keep", "me").endMetadata().build()).create();
        AtomicInteger computations = new AtomicInteger();
        Node written = annotator.annotate(Node.class, null, "node-a", current -> {
            if (computations.incrementAndGet() == 1) {
                // someone else changes the node between our read and our write
                api.newClient().nodes().withName("node-a").edit(n -> new NodeBuilder(n).editMetadata()
                        .addToAnnotations("other", "writer").endMetadata().build());
            }
            return Map.of("k8s.ovn.org/node-subnets", "{\"default\":\"10.128.0.0/23\"}");
        });
        assertEquals(2, computations.get(), "the first patch was refused (409) and recomputed");
        Map<String, String> annotations = api.client.nodes().withName("node-a").get().getMetadata().getAnnotations();
        assertEquals("{\"default\":\"10.128.0.0/23\"}", annotations.get("k8s.ovn.org/node-subnets"));
        assertEquals("writer", annotations.get("other"), "the other writer's change survived");
        assertEquals("me", annotations.get("keep"));
        assertEquals(annotations, written.getMetadata().getAnnotations());
    }

    @Test
    void aStaleKnownCopyCostsOneConflictAndNothingElse() {
        api.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-k").endMetadata().build()).create();
        Node stale = api.client.nodes().withName("node-k").get();
        api.newClient().nodes().withName("node-k").edit(n -> new NodeBuilder(n).editMetadata().addToLabels("moved", "on")
                .endMetadata().build());
        AtomicInteger computations = new AtomicInteger();
        annotator.annotate(stale, current -> {
            computations.incrementAndGet();
            return Map.of("a", "b");
        });
        assertEquals(2, computations.get(), "the stale copy was refused (409), the fresh read succeeded");
        Node now = api.client.nodes().withName("node-k").get();
        assertEquals("b", now.getMetadata().getAnnotations().get("a"));
        assertEquals("on", now.getMetadata().getLabels().get("moved"));
        Node fresh = api.client.nodes().withName("node-k").get();
        AtomicInteger once = new AtomicInteger();
        int requestsBefore = api.server.getRequestCount();
        annotator.annotate(fresh, current -> {
            once.incrementAndGet();
            return Map.of("c", "d");
        });
        assertEquals(1, once.get(), "a current copy needs no read");
        assertEquals(1, api.server.getRequestCount() - requestsBefore, "one request: the PATCH, no GET before it");
    }

    @Test
    void nullRemovesAnAnnotationAndAnUnchangedValueWritesNothing() {
        api.client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withNamespace("default")
                .withName("web").addToAnnotations("ovn", "{}").addToAnnotations("x", "1").endMetadata().build()).create();
        String before = api.client.pods().inNamespace("default").withName("web").get().getMetadata().getResourceVersion();
        Pod same = annotator.annotate(Pod.class, "default", "web", current -> Map.of("x", "1"));
        assertEquals(before, same.getMetadata().getResourceVersion(), "no write for a value already there");
        Map<String, String> removal = new HashMap<>();
        removal.put("ovn", null);
        annotator.annotate(Pod.class, "default", "web", current -> removal);
        Map<String, String> annotations = api.client.pods().inNamespace("default").withName("web").get().getMetadata()
                .getAnnotations();
        // RFC 7386: null deletes the key. The API server removes it; fabric8's CRUD mock keeps a null entry, which
        // readers (OvnAnnotations.read) take as absent all the same
        assertNull(annotations.get("ovn"), "annotations now: " + annotations);
        assertEquals("1", annotations.get("x"));
    }

    @Test
    void aMissingObjectAndEndlessConflictsAreTypedErrors() {
        assertThrows(KubeException.NotFound.class,
                () -> annotator.annotate(Node.class, null, "absent", current -> Map.of("a", "b")));
        api.client.nodes().resource(new NodeBuilder().withNewMetadata().withName("busy").endMetadata().build()).create();
        AtomicInteger round = new AtomicInteger();
        KubeException.Conflict conflict = assertThrows(KubeException.Conflict.class, () -> annotator.annotate(Node.class,
                null, "busy", current -> {
                    api.newClient().nodes().withName("busy").edit(n -> new NodeBuilder(n).editMetadata()
                            .addToLabels("round", Integer.toString(round.incrementAndGet())).endMetadata().build());
                    return Map.of("a", "b");
                }));
        assertTrue(conflict.getMessage().contains("node busy: still changing after " + ClientAnnotator.ATTEMPTS),
                conflict.getMessage());
        assertEquals(ClientAnnotator.ATTEMPTS, round.get());
    }
}
