package io.ovnk.master.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.network.spi.PodPortBinder;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * Pods created while no mode bundle runs wait in the pod queue, retried with backoff; when a mode arrives, the
 * master rebinds every pod from its own thread while the queue retries them. Each pod must still get one address:
 * the one annotated on it is the one its port admits.
 */
@RequiresOvn
class MasterRebindRaceTest {

    private static final int PODS = 24;
    private static final ObjectMapper JSON = new ObjectMapper();

    private MasterHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new MasterHarness();
        harness.nb.monitor(TableMonitor.of("Logical_Switch_Port").columns("name", "port_security"))
                .get(30, TimeUnit.SECONDS);
        harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-r").endMetadata().build())
                .create();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void podsWaitingForAModeGetOneAddressWhenTheModeArrivesAndRebindsThem() throws Exception {
        PodPortBinder mode = harness.binder.getAndSet(null);
        MasterHarness.Term term = harness.term(8).started();
        for (int i = 0; i < PODS; i++) {
            harness.kube.pods().inNamespace("race").resource(new PodBuilder().withNewMetadata().withNamespace("race")
                    .withName("p" + i).endMetadata().withNewSpec().withNodeName("node-r").addNewContainer()
                    .withName("c").withImage("pause").endContainer().endSpec().build()).create();
        }
        // the mode arrives as MasterComponent.bindBinder makes it arrive, while the queue retries the pods
        harness.binder.set(mode);
        CompletableFuture<Void> rebound = term.master.rebindAll();

        Map<String, String> annotated = new TreeMap<>();
        Map<String, String> admitted = new TreeMap<>();
        for (int i = 0; i < PODS; i++) {
            String name = "p" + i;
            Row port = harness.nb.cache().await("Logical_Switch_Port", row -> ("race_" + name).equals(
                    row.string("name")), Duration.ofSeconds(60)).get(70, TimeUnit.SECONDS);
            admitted.put(name, port.<String>set("port_security").iterator().next().split(" ")[1]);
            Pod pod = harness.kube.pods().inNamespace("race").withName(name).get();
            annotated.put(name, JSON.readTree(pod.getMetadata().getAnnotations().get(OvnAnnotations.POD_NETWORKS))
                    .get("default").get("ip_addresses").get(0).asString().split("/")[0]);
        }
        assertEquals(annotated, admitted, "each pod's annotated address is the one its port admits");
        assertEquals(PODS, annotated.values().stream().distinct().count(), "no address twice");
        // the rebind's own calls may still be giving back what they took for pods the queue annotated first
        rebound.get(60, TimeUnit.SECONDS);
        assertEquals(PODS, term.ipam.usage().stream().filter(u -> u.node().equals("node-r"))
                .mapToInt(io.ovnk.ipam.SubnetUsage::allocated).sum(), "no address leaked in the allocator");
    }
}
