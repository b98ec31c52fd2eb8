package io.ovnk.underlay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ovnk.kube.Annotator;
import io.ovnk.kube.KubeException;
import io.ovnk.kube.Lister;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The plain parts: the annotation codec, settings, the node's VLAN waiter, the annotation writer. */
class UnderlayUnitTest {

    @Test
    void theVlanAnnotationRoundTripsAndNamesWhatIsWrong() {
        VlanAnnotation annotation = new VlanAnnotation("vm1", 101);
        assertEquals("{\"parent\":\"vm1\",\"tag\":101}", annotation.toJson());
        assertEquals(annotation, VlanAnnotation.parse(annotation.toJson()));
        assertEquals("tag: 4095 is not a VLAN id (1-4094)", assertThrows(IllegalArgumentException.class,
                () -> VlanAnnotation.parse("{\"parent\":\"vm1\",\"tag\":4095}")).getMessage());
        assertEquals("tag: missing or not an integer", assertThrows(IllegalArgumentException.class,
                () -> VlanAnnotation.parse("{\"parent\":\"vm1\",\"tag\":\"7\"}")).getMessage());
        assertEquals("parent: missing or not a string", assertThrows(IllegalArgumentException.class,
                () -> VlanAnnotation.parse("{\"tag\":7}")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VlanAnnotation.parse("{\"parent\":"))
                .getMessage().startsWith("not JSON"));
    }

    @Test
    void settingsNameTheKeyThatIsWrong() {
        NodeSettings settings = NodeSettings.of("node-1", null, null, null, 1400, null, true);
        assertEquals(NodeSettings.Strategy.KERNEL_VLAN, settings.strategy());
        assertEquals("eth0", settings.vmNic());
        assertEquals("br-guest", settings.guestBridge());
        assertEquals("io.ovnk.underlay.node: strategy: \"macvlan\": expected kernel-vlan or guest-bridge",
                assertThrows(IllegalArgumentException.class, () -> NodeSettings.of("n", "macvlan", null, null, 1400,
                        null, true)).getMessage());
        assertEquals("io.ovnk.underlay.node: vm.nic: \"a-very-long-nic-name\": not an interface name (1-15 "
                + "characters, no '/', ':' or blank)", assertThrows(IllegalArgumentException.class,
                        () -> NodeSettings.of("n", null, "a-very-long-nic-name", null, 1400, null, true)).getMessage());
        assertEquals("io.ovnk.underlay.node: node.name is required and not set", assertThrows(
                IllegalArgumentException.class, () -> NodeSettings.of(" ", null, null, null, 1400, null, true))
                .getMessage());
        assertEquals("io.ovnk.underlay.node: host.netns: \"/run/netns/x\": a namespace name under /var/run/netns, not "
                + "a path", assertThrows(IllegalArgumentException.class, () -> NodeSettings.of("n", null, null, null,
                        1400, "/run/netns/x", true)).getMessage());
    }

    @Test
    void vmPortsAreParsedAndAMalformedEntryIsRefused() {
        assertEquals(Map.of("node1", "vm-1", "node2", "vm-2"), UnderlayPortBinder.parseVmPorts(new String[] {
            "node1=vm-1", " node2 = vm-2 " }));
        assertEquals("io.ovnk.underlay: node.vm.ports[1]: \"node2\" is not NODE=LOGICAL_SWITCH_PORT",
                assertThrows(IllegalArgumentException.class, () -> UnderlayPortBinder.parseVmPorts(new String[] {
                    "node1=vm-1", "node2" })).getMessage());
        assertEquals("io.ovnk.underlay: node.vm.ports[1]: node node1 is mapped twice", assertThrows(
                IllegalArgumentException.class, () -> UnderlayPortBinder.parseVmPorts(new String[] { "node1=a",
                    "node1=b" })).getMessage());
    }

    private static Pod pod(String uid, String vlan) {
        PodBuilder builder = new PodBuilder().withNewMetadata().withNamespace("default").withName("web").withUid(uid)
                .endMetadata();
        if (vlan != null) {
            builder.editMetadata().addToAnnotations(UnderlayNames.POD_VLAN, vlan).endMetadata();
        }
        return builder.build();
    }

    private static PodAttachment attachment(String uid) {
        return new PodAttachment("default", "web", uid, "sandbox", "/var/run/netns/x", "eth0", "0a:58:0a:f4:00:05",
                List.of("10.244.0.5/24"), List.of(), List.of(), 1400);
    }

    /** A lister over one pod that the test changes. */
    private static final class OnePod implements Lister<Pod> {
        volatile Pod pod;

        @Override
        public Optional<Pod> get(String namespace, String name) {
            return Optional.ofNullable(pod);
        }

        @Override
        public List<Pod> list() {
            return pod == null ? List.of() : List.of(pod);
        }

        @Override
        public List<Pod> list(String namespace) {
            return list();
        }

        @Override
        public boolean hasSynced() {
            return true;
        }

        @Override
        public CompletionStage<Void> synced() {
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void theNodeWaitsForThePodsVlanUntilItsEventArrives() throws Exception {
        OnePod lister = new OnePod();
        lister.pod = pod("u1", null);
        PodVlans vlans = new PodVlans(() -> lister);
        CompletableFuture<Integer> tag = CompletableFuture.supplyAsync(() -> {
            try {
                return vlans.tag(attachment("u1"), Duration.ofSeconds(30));
            } catch (PlumbingException e) {
                throw new IllegalStateException(e);
            }
        });
        vlans.added(pod("other-uid", "{\"parent\":\"vm1\",\"tag\":9}")); // another pod of that name: not it
        assertTrue(!tag.isDone() || tag.get() != 9);
        lister.pod = pod("u1", "{\"parent\":\"vm1\",\"tag\":101}");
        vlans.added(lister.pod);
        assertEquals(101, tag.get(30, TimeUnit.SECONDS));

        assertEquals(101, vlans.tag(attachment("u1"), Duration.ofMillis(1))); // present: no wait
        PlumbingException late = assertThrows(PlumbingException.class, () -> new PodVlans(OnePod::new)
                .tag(attachment("u1"), Duration.ofMillis(50)));
        assertTrue(late.retryable() && late.getMessage().equals("pod default/web: no annotation "
                + "k8s.ovn.org/underlay-vlan after 50 ms (the underlay binder on the master writes it)"),
                late.getMessage());
        lister.pod = pod("u1", "{\"parent\":\"vm1\"}");
        PlumbingException bad = assertThrows(PlumbingException.class, () -> vlans.tag(attachment("u1"),
                Duration.ofSeconds(5)));
        assertTrue(!bad.retryable() && bad.getMessage().contains("tag: missing or not an integer"), bad.getMessage());
    }

    /** An annotator that fails the first {@code failures} writes, then records. */
    private static final class FlakyAnnotator implements Annotator {
        final AtomicInteger failures;
        final Map<String, String> written = new ConcurrentHashMap<>();
        final CountDownLatch done = new CountDownLatch(1);

        FlakyAnnotator(int failures) {
            this.failures = new AtomicInteger(failures);
        }

        @Override
        public <T extends HasMetadata> T annotate(Class<T> type, String namespace, String name,
                Function<T, Map<String, String>> changes) {
            if (name.equals("gone")) {
                throw new KubeException.NotFound("pod default/gone does not exist");
            }
            if (failures.getAndDecrement() > 0) {
                throw new IllegalStateException("API server unavailable");
            }
            written.putAll(changes.apply(null));
            done.countDown();
            return null;
        }

        @Override
        public <T extends HasMetadata> T annotate(T known, Function<T, Map<String, String>> changes) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void annotationWritesAreRetriedAndAPodThatIsGoneIsForgotten() throws Exception {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try {
            FlakyAnnotator annotator = new FlakyAnnotator(2);
            AnnotationWriter writer = new AnnotationWriter(annotator, executor, UnderlayNames.POD_VLAN);
            writer.write("default", "gone", "{}");
            writer.write("default", "web", "{\"parent\":\"vm1\",\"tag\":7}");
            assertTrue(annotator.done.await(30, TimeUnit.SECONDS));
            assertEquals(Map.of(UnderlayNames.POD_VLAN, "{\"parent\":\"vm1\",\"tag\":7}"), annotator.written);
            executor.submit(() -> { }).get(30, TimeUnit.SECONDS); // the writer's last step has run
            assertEquals(0, writer.pending());
        } finally {
            executor.shutdownNow();
        }
    }
}
