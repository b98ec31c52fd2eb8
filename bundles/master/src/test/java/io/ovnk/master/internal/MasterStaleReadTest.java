package io.ovnk.master.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ovnk.ipam.SubnetUsage;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.PodNetworksAnnotation;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pod controller handed a copy of a pod older than the annotation it already carries (an informer lagging
 * behind the master's own PATCH, or behind the previous leader's) must keep the pod's addresses: no second
 * allocation, no rewritten annotation, no leaked address. A mode restart in a running ovnkube once re-addressed a
 * freshly plumbed pod this way, and a leadership move leaked an address.
 */
@RequiresOvn
class MasterStaleReadTest {

    private MasterHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new MasterHarness();
        harness.nb.monitor(TableMonitor.of("Logical_Switch_Port").columns("name", "addresses"))
                .get(30, TimeUnit.SECONDS);
        harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-s").endMetadata().build())
                .create();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void aStaleCopyWithoutTheAnnotationKeepsThePodsAddresses() throws Exception {
        MasterHarness.Term term = harness.term(2).started();
        Pod stale = harness.kube.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata()
                .withNamespace("shop").withName("web").endMetadata().withNewSpec().withNodeName("node-s")
                .addNewContainer().withName("c").withImage("pause").endContainer().endSpec().build()).create();
        Row port = harness.nb.cache().await("Logical_Switch_Port", row -> "shop_web".equals(row.string("name")),
                Duration.ofMinutes(1)).get(2, TimeUnit.MINUTES);
        String annotation = annotation();
        assertNotNull(annotation, "the master annotated the pod");
        String address = PodNetworksAnnotation.parse(annotation).defaultNetwork().ipAddresses().get(0).address()
                .toString();

        // the copy the pod was created as: no annotation, an older resourceVersion
        term.master.podHandler().added(stale);

        assertEquals(annotation, annotation(), "the pod's annotation is unchanged");
        Row after = harness.nb.cache().table("Logical_Switch_Port").rows().stream()
                .filter(row -> "shop_web".equals(row.string("name"))).findFirst().orElseThrow();
        assertEquals(port.<String>set("addresses"), after.<String>set("addresses"), "the port keeps its address");
        assertEquals(1, term.ipam.usage().stream().mapToInt(SubnetUsage::allocated).sum(),
                "the allocator holds exactly " + address + ": the stale copy took nothing");
    }

    private String annotation() {
        Map<String, String> annotations = harness.kube.pods().inNamespace("shop").withName("web").get().getMetadata()
                .getAnnotations();
        return annotations == null ? null : annotations.get(OvnAnnotations.POD_NETWORKS);
    }
}
