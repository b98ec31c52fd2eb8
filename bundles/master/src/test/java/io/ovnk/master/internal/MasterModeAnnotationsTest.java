package io.ovnk.master.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.network.spi.PodInfo;
import io.ovnk.network.spi.PodPortBinder;
import io.ovnk.network.spi.PortBinding;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A mode's pod annotations ({@link PortBinding#podAnnotations()}) reach the pod in the same PATCH as
 * {@code k8s.ovn.org/pod-networks}, before the port is in the Northbound; a changed value is patched alone; values
 * already on the pod cause no write, also for a new master term rebuilding a lost port.
 */
@RequiresOvn
class MasterModeAnnotationsTest {

    private static final String MODE_KEY = "test.ovnk.io/binding";
    private static final String POD_PATH = "/api/v1/namespaces/shop/pods/web";

    private MasterHarness harness;
    private final AtomicReference<String> value = new AtomicReference<>("v1");

    /** A mode that asks for one annotation on each pod, whose value the test changes. */
    private final class AnnotatingBinder implements PodPortBinder {
        @Override
        public String mode() {
            return "test";
        }

        @Override
        public PortBinding bind(PodInfo pod) {
            return new PortBinding(Optional.empty(), OptionalInt.empty(), Map.of("test", "yes"),
                    Map.of(MODE_KEY, value.get()));
        }
    }

    @BeforeEach
    void start() throws Exception {
        harness = new MasterHarness();
        harness.binder.set(new AnnotatingBinder());
        harness.nb.monitor(TableMonitor.of("Logical_Switch_Port").columns("name", "options"))
                .get(30, TimeUnit.SECONDS);
        harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-m").endMetadata().build())
                .create();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    /** The PATCHes of the pod the API server has received since the last call. */
    private List<RecordedRequest> podPatches() throws InterruptedException {
        List<RecordedRequest> patches = new ArrayList<>();
        for (RecordedRequest request = harness.server.takeRequest(0, TimeUnit.MILLISECONDS); request != null;
                request = harness.server.takeRequest(0, TimeUnit.MILLISECONDS)) {
            if (request.getMethod().equals("PATCH") && request.getPath().startsWith(POD_PATH)) {
                patches.add(request);
            }
        }
        return patches;
    }

    private Row awaitPort() throws Exception {
        return harness.nb.cache().await("Logical_Switch_Port", row -> "shop_web".equals(row.string("name")),
                Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);
    }

    private Map<String, String> podAnnotations() {
        return harness.kube.pods().inNamespace("shop").withName("web").get().getMetadata().getAnnotations();
    }

    @Test
    void theModesAnnotationsAreWrittenWithPodNetworksInOnePatchAndOnlyWhenTheyDiffer() throws Exception {
        MasterHarness.Term first = harness.term(2).started();
        harness.kube.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withNamespace("shop")
                .withName("web").endMetadata().withNewSpec().withNodeName("node-m").addNewContainer().withName("c")
                .withImage("pause").endContainer().endSpec().build()).create();
        Row port = awaitPort();
        assertEquals("yes", port.<String, String>map("options").get("test"), "the mode's columns");

        // the port exists, so the annotations were written before it; one PATCH carried all three (the mock
        // server's recording keeps no body: one PATCH and all three values on the pod say it)
        assertEquals(1, podPatches().size(), "one PATCH of the pod");
        Map<String, String> annotations = podAnnotations();
        assertEquals("v1", annotations.get(MODE_KEY));
        assertTrue(annotations.containsKey(OvnAnnotations.POD_NETWORKS) && annotations.containsKey(
                OvnAnnotations.LEGACY_POD), annotations.toString());
        String networks = annotations.get(OvnAnnotations.POD_NETWORKS);
        // the pod's set-up on the master side was timed once: first look to annotation written
        assertEquals(1, first.metrics.podAnnotation().count());
        assertTrue(first.metrics.podAnnotation().sum() > 0);

        // the mode changes its mind (a rebind): its annotation is patched, the addresses stay
        value.set("v2");
        first.master.rebindAll();
        Pod rebound = harness.kube.pods().inNamespace("shop").withName("web").waitUntilCondition(
                p -> "v2".equals(p.getMetadata().getAnnotations().get(MODE_KEY)), 30, TimeUnit.SECONDS);
        assertEquals(networks, rebound.getMetadata().getAnnotations().get(OvnAnnotations.POD_NETWORKS));
        // one PATCH, or two when the informer's copy was older than the first PATCH (a conflict, read, patch)
        int patches = podPatches().size();
        assertTrue(patches == 1 || patches == 2, patches + " PATCHes");
        first.stop();

        // a new term with the Northbound port lost: the port comes back, the annotations are equal, no PATCH
        harness.stack.nbctl("lsp-del", "shop_web");
        harness.nb.cache().awaitNone("Logical_Switch_Port", row -> "shop_web".equals(row.string("name")),
                Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);
        MasterHarness.Term second = harness.term(2).started();
        awaitPort();
        assertEquals(List.of(), podPatches(), "nothing to write");
        assertEquals(0, second.metrics.podAnnotation().count(), "an annotated pod is not timed again");
        assertEquals("v2", podAnnotations().get(MODE_KEY));
        assertEquals(networks, podAnnotations().get(OvnAnnotations.POD_NETWORKS));
    }
}
