package io.ovnk.itests.framework;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The platform feature's fabric8 client, with the JDK HTTP client and Jackson 3, built and used inside Felix
 * against fabric8's mock API server in CRUD mode (which runs in the test driver, outside the framework).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KubernetesClientIT {

    @Configuration
    public Option[] config() throws Exception {
        // the server lives as long as this JVM (the native container runs the framework in it too)
        return OptionUtils.combine(Provisioning.features(List.of("platform"), List.of()),
                systemProperty("ovnk.test.apiserver").value(MockApiServer.startWithOneNode()));
    }

    @Test
    public void theClientListsAndWatchesNodesInsideTheFramework() throws Exception {
        // fabric8 looks at the thread context class loader for its HTTP client and kind registry: make it the
        // client bundle's, as a component owning a client will
        ClassLoader fabric8 = FrameworkUtil.getBundle(KubernetesClientBuilder.class).adapt(BundleWiring.class).getClassLoader();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(fabric8);
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withKubernetesSerialization(new KubernetesSerialization())
                .withHttpClientFactory(new JdkHttpClientFactory())
                .withConfig(new ConfigBuilder().withMasterUrl(System.getProperty("ovnk.test.apiserver")).build())
                .build()) {
            assertEquals("io.ovnk.fabric8-client", FrameworkUtil.getBundle(client.getClass()).getSymbolicName());
            assertTrue(client.getHttpClient().getClass().getName(), client.getHttpClient().getClass().getName()
                    .startsWith("io.fabric8.kubernetes.client.jdkhttp."));

            List<Node> nodes = client.nodes().list().getItems();
            assertEquals(1, nodes.size());
            assertEquals("node-a", nodes.get(0).getMetadata().getName());

            CountDownLatch added = new CountDownLatch(1);
            try (Watch watch = client.nodes().watch(new Watcher<Node>() {
                @Override
                public void eventReceived(Action action, Node node) {
                    if (action == Action.ADDED && node.getMetadata().getName().equals("node-b")) {
                        added.countDown();
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                    // closed by the test
                }
            })) {
                client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-b").endMetadata().build()).create();
                assertTrue("the watch saw node-b", added.await(10, TimeUnit.SECONDS));
            }
            assertEquals(2, client.nodes().list().getItems().size());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
