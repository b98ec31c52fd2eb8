package io.ovnk.itests.framework;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.kube.Leadership;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The master as the distribution runs it (platform, core, master, overlay), configured through etc/ against a
 * mock API server and a real Northbound: it leads, wires a pod, and when the overlay bundle stops, new pods wait
 * for a mode; when it starts again, they are wired, and nothing restarted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MasterIT {

    private static final long TIMEOUT = 20_000;

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        Map<String, String> northbound = RealNorthbound.start();
        return OptionUtils.combine(Provisioning.features(List.of("platform", "core", "master", "overlay"), List.of()),
                systemProperty("ovnk.test.apiserver").value(MockApiServer.startWithNodes("node-a")),
                systemProperty("ovnk.test.nb.unix").value(northbound.getOrDefault("unix", "")),
                systemProperty("ovnk.test.nb.missing").value(northbound.getOrDefault("missing", "")));
    }

    @Test
    public void theMasterWiresPodsAndFollowsTheModeBundle() throws Exception {
        Assume.assumeTrue("needs a real OVN stack: " + System.getProperty("ovnk.test.nb.missing"),
                System.getProperty("ovnk.test.nb.missing").isEmpty());
        Path etc = Path.of(context.getProperty("ovnk.etc"));
        Files.writeString(etc.resolve("io.ovnk.kube.cfg"), "api.server = " + System.getProperty("ovnk.test.apiserver") + "\n");
        Files.writeString(etc.resolve("io.ovnk.ovsdb.connection~nb.cfg"), "database = OVN_Northbound\nremotes = "
                + System.getProperty("ovnk.test.nb.unix") + "\n");
        ServiceTracker<Leadership, Leadership> leadership = new ServiceTracker<>(context, Leadership.class, null);
        ServiceTracker<KubernetesClient, KubernetesClient> clients = new ServiceTracker<>(context, KubernetesClient.class, null);
        ServiceTracker<OvsdbClient, OvsdbClient> nbs = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + OvsdbClient.class.getName() + ")(database=OVN_Northbound))"), null);
        leadership.open();
        clients.open();
        nbs.open();
        try {
            assertNotNull("this process leads", leadership.waitForService(TIMEOUT));
            KubernetesClient kube = clients.waitForService(TIMEOUT);
            OvsdbClient nb = nbs.waitForService(TIMEOUT);
            // a reader of its own: the master's monitors live on the same client service
            OvsdbClient reader = io.ovnk.ovsdb.OvsdbClients.connect(io.ovnk.ovsdb.OvsdbClientConfig.of("OVN_Northbound",
                    System.getProperty("ovnk.test.nb.unix")));
            try {
                reader.monitor(TableMonitor.of("Logical_Switch_Port")).get(20, TimeUnit.SECONDS);
                kube.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withNamespace("shop")
                        .withName("first").endMetadata().withNewSpec().withNodeName("node-a").endSpec().build()).create();
                Row port = reader.cache().await("Logical_Switch_Port", row -> "shop_first".equals(row.string("name")),
                        Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
                assertEquals("node-a", port.<String, String>map("options").get("requested-chassis"));
                reader.cache().await("Logical_Switch_Port", row -> "k8s-node-a".equals(row.string("name")),
                        Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);

                // the mode bundle goes and comes back: the pod created meanwhile is wired, and the master's
                // component is the same instance throughout (no restart, no new leadership term)
                long before = masterComponentId();
                Bundle overlay = bundle("io.ovnk.overlay");
                overlay.stop();
                kube.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withNamespace("shop")
                        .withName("second").endMetadata().withNewSpec().withNodeName("node-a").endSpec().build()).create();
                overlay.start();
                reader.cache().await("Logical_Switch_Port", row -> "shop_second".equals(row.string("name")),
                        Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
                assertEquals(before, masterComponentId());

                // the other mode bundle instead, installed from the distribution's system/ while the master runs:
                // the pod created next is bound the underlay way (a child of the node's VM port with a VLAN tag)
                overlay.stop();
                nbctl("ls-add", "vms", "--", "lsp-add", "vms", "vm-a");
                kube.nodes().withName("node-a").edit(node -> new NodeBuilder(node).editMetadata()
                        .addToAnnotations("k8s.ovn.org/node-vm-port", "vm-a").endMetadata().build());
                Bundle underlay = context.installBundle(underlayJar().toUri().toString());
                try {
                    underlay.start();
                    kube.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withNamespace("shop")
                            .withName("third").endMetadata().withNewSpec().withNodeName("node-a").endSpec().build())
                            .create();
                    Row child = reader.cache().await("Logical_Switch_Port", row -> "shop_third".equals(
                            row.string("name")) && !row.<String>set("parent_name").isEmpty(), Duration.ofSeconds(20))
                            .get(30, TimeUnit.SECONDS);
                    assertEquals(java.util.Set.of("vm-a"), child.<String>set("parent_name"));
                    long tag = child.<Long>set("tag_request").iterator().next();
                    assertTrue("a VLAN tag 1-4094: " + tag, tag >= 1 && tag <= 4094);
                    assertEquals(before, masterComponentId());
                } finally {
                    underlay.uninstall();
                    overlay.start();
                }
            } finally {
                reader.close();
            }
        } finally {
            leadership.close();
            clients.close();
            nbs.close();
        }
    }

    @Inject
    org.osgi.service.component.runtime.ServiceComponentRuntime scr;

    /** The id of the master component's active configuration: a new one would mean it was reactivated. */
    private long masterComponentId() {
        for (var description : scr.getComponentDescriptionDTOs()) {
            if (description.name.equals("io.ovnk.master.internal.MasterComponent")) {
                for (var configuration : scr.getComponentConfigurationDTOs(description)) {
                    if (configuration.state == org.osgi.service.component.runtime.dto.ComponentConfigurationDTO.ACTIVE) {
                        return configuration.id;
                    }
                }
            }
        }
        throw new AssertionError("the master component is not active");
    }

    /** The underlay bundle of the assembled distribution, not part of this test's features. */
    private static Path underlayJar() throws java.io.IOException {
        Path versions = Provisioning.DISTRIBUTION.resolve("system/io/ovnk/underlay");
        try (var listing = Files.walk(versions)) {
            return listing.filter(path -> path.toString().endsWith(".jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("no underlay jar under " + versions));
        }
    }

    private static void nbctl(String... arguments) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("ovn-nbctl", "--timeout=20",
                "--db=" + System.getProperty("ovnk.test.nb.unix")));
        command.addAll(java.util.List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(output, 0, process.waitFor());
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        throw new AssertionError(symbolicName + " is not installed");
    }
}
