package io.ovnk.master.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Objects the master cannot use, written by someone else: each gets one Warning Event naming the object and the
 * field and waits for a change, while every other object is still processed.
 */
@RequiresOvn
class MasterBadInputTest {

    private static MasterHarness harness;

    @BeforeAll
    static void start() throws Exception {
        harness = new MasterHarness();
        harness.nb.monitor(TableMonitor.of("Logical_Switch"), TableMonitor.of("Logical_Switch_Port"),
                TableMonitor.of("Load_Balancer")).get(30, TimeUnit.SECONDS);
        harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("good").endMetadata().build()).create();
        harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("first")
                .withCreationTimestamp("2020-01-01T00:00:00Z")
                .addToAnnotations(OvnAnnotations.NODE_SUBNETS, "{\"default\":\"10.128.8.0/23\"}").endMetadata().build()).create();
        // a later node claims the same subnet: the older keeps it
        harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("second")
                .withCreationTimestamp("2021-01-01T00:00:00Z")
                .addToAnnotations(OvnAnnotations.NODE_SUBNETS, "{\"default\":\"10.128.8.0/23\"}").endMetadata().build()).create();
        harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("garbled")
                .addToAnnotations(OvnAnnotations.NODE_SUBNETS, "{\"default\":\"10.128.10.0/33\"}").endMetadata().build()).create();
        harness.term(2).started();
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            informers.forEach(informer -> {
                try {
                    informer.close();
                } catch (Exception e) {
                    // the harness goes next
                }
            });
            harness.close();
        }
    }

    private static Event event(String namespace, String object, String reason) {
        return harness.kube.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> object.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .findFirst().orElse(null);
    }

    /** Waits, event-driven, for an Event about the object with the reason. */
    private static Event awaitEvent(String namespace, String object, String reason) throws Exception {
        java.util.concurrent.CompletableFuture<Event> found = new java.util.concurrent.CompletableFuture<>();
        io.fabric8.kubernetes.client.informers.SharedIndexInformer<Event> informer = harness.kube.v1().events()
                .inNamespace(namespace).inform(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<Event>() {
                    @Override
                    public void onAdd(Event e) {
                        if (object.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())) {
                            found.complete(e);
                        }
                    }

                    @Override
                    public void onUpdate(Event before, Event after) {
                        onAdd(after);
                    }

                    @Override
                    public void onDelete(Event e, boolean unknown) {
                    }
                });
        try {
            return found.get(20, TimeUnit.SECONDS);
        } finally {
            informers.add(informer); // closed with the harness: a closed watch stalls this mock server
        }
    }

    private static final List<AutoCloseable> informers = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void badAnnotationsAndServicesAreReportedOnceAndEverythingElseGoesOn() throws Exception {
        Event conflict = awaitEvent("default", "second", "SubnetConflict");
        assertTrue(conflict.getMessage().contains("node second: annotation k8s.ovn.org/node-subnets")
                && conflict.getMessage().contains("node first"), conflict.getMessage());
        assertEquals("Warning", conflict.getType());
        Event garbled = awaitEvent("default", "garbled", "InvalidAnnotation");
        assertTrue(garbled.getMessage().contains("node garbled: annotation k8s.ovn.org/node-subnets: default:"),
                garbled.getMessage());

        // a pod annotated by someone else with a malformed value, beside a good pod on the good node
        harness.kube.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withNamespace("shop")
                .withName("broken").addToAnnotations(OvnAnnotations.POD_NETWORKS, "{\"default\":{\"ip_addresses\":[\"10.1.2\"]}}")
                .endMetadata().withNewSpec().withNodeName("good").endSpec().build()).create();
        harness.kube.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withNamespace("shop")
                .withName("fine").endMetadata().withNewSpec().withNodeName("good").endSpec().build()).create();
        // a Service with an invalid port, beside a good one
        harness.kube.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withNamespace("shop")
                .withName("bad-port").endMetadata().withNewSpec().withClusterIP("172.16.1.20").addNewPort()
                .withProtocol("TCP").withPort(70000).endPort().endSpec().build()).create();
        harness.kube.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withNamespace("shop")
                .withName("ok").endMetadata().withNewSpec().withClusterIP("172.16.1.21").addNewPort()
                .withProtocol("TCP").withPort(80).endPort().endSpec().build()).create();

        Event pod = awaitEvent("shop", "broken", "InvalidAnnotation");
        assertTrue(pod.getMessage().startsWith("pod shop/broken: annotation k8s.ovn.org/pod-networks: "
                + "default.ip_addresses[0]: \"10.1.2\" is not a CIDR"), pod.getMessage());
        Event service = awaitEvent("shop", "bad-port", "InvalidService");
        assertTrue(service.getMessage().contains("service shop/bad-port: spec.ports[0].port: 70000 is not a port number"),
                service.getMessage());

        // everything else was processed
        harness.nb.cache().await("Logical_Switch_Port", row -> "shop_fine".equals(row.string("name")), Duration.ofSeconds(20))
                .get(30, TimeUnit.SECONDS);
        harness.nb.cache().await("Load_Balancer", row -> "Service_shop/ok_TCP_cluster".equals(row.string("name")),
                Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        harness.nb.cache().await("Logical_Switch", row -> "first".equals(row.string("name")), Duration.ofSeconds(20))
                .get(30, TimeUnit.SECONDS);
        assertTrue(harness.nb.cache().table("Logical_Switch").rows().stream()
                .noneMatch(row -> List.of("second", "garbled").contains(row.string("name"))), "the bad nodes wait");
        assertTrue(harness.nb.cache().table("Logical_Switch_Port").rows().stream()
                .noneMatch(row -> "shop_broken".equals(row.string("name"))), "the bad pod waits");
        assertTrue(harness.nb.cache().table("Load_Balancer").rows().stream()
                .noneMatch(row -> row.string("name").contains("bad-port")), "the bad Service waits");
        assertEquals("10.128.8.0/23", io.ovnk.kube.NodeSubnetsAnnotation.parse(harness.kube.nodes().withName("second")
                .get().getMetadata().getAnnotations().get(OvnAnnotations.NODE_SUBNETS)).defaultNetwork().get(0).toString(),
                "the loser's annotation is left as it is, not overwritten");

        // reported once: a resync of the same bad value does not report again
        harness.kube.pods().inNamespace("shop").withName("broken").edit(p -> new PodBuilder(p).editMetadata()
                .addToLabels("touched", "yes").endMetadata().build());
        harness.kube.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withNamespace("shop")
                .withName("witness").endMetadata().withNewSpec().withNodeName("good").endSpec().build()).create();
        harness.nb.cache().await("Logical_Switch_Port", row -> "shop_witness".equals(row.string("name")),
                Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        assertEquals(1, harness.kube.v1().events().inNamespace("shop").list().getItems().stream()
                .filter(e -> "broken".equals(e.getInvolvedObject().getName())).count());

        // fixed: the pod is processed
        harness.kube.pods().inNamespace("shop").withName("broken").edit(p -> new PodBuilder(p).editMetadata()
                .removeFromAnnotations(OvnAnnotations.POD_NETWORKS).endMetadata().build());
        harness.nb.cache().await("Logical_Switch_Port", row -> "shop_broken".equals(row.string("name")),
                Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
    }
}
