package io.ovnk.itests.framework;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.kube.Informers;
import io.ovnk.kube.Leadership;
import io.ovnk.kube.ResourceHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The kube bundle as a process runs it: configured through etc/, its client used inside Felix against
 * fabric8's mock API server (in the test driver), a handler registered as a service receiving events, the
 * master feature's leader election registering Leadership, and a configuration change rebuilding the client
 * and the informers on it while the handler stays registered.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KubeIT {

    private static final long TIMEOUT = 15_000;

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        return OptionUtils.combine(Provisioning.features(List.of("platform", "core", "master"), List.of()),
                systemProperty("ovnk.test.apiserver.first").value(MockApiServer.startWithNodes("node-a")),
                systemProperty("ovnk.test.apiserver.second").value(MockApiServer.startWithNodes("node-x")));
    }

    /** Records Node events as "added name" and "deleted name". */
    static final class NodeEvents implements ResourceHandler<Node> {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        @Override
        public Class<Node> resourceType() {
            return Node.class;
        }

        @Override
        public void added(Node node) {
            events.add("added " + node.getMetadata().getName());
        }

        @Override
        public void deleted(Node node) {
            events.add("deleted " + node.getMetadata().getName());
        }

        String next() throws InterruptedException {
            String event = events.poll(TIMEOUT, TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("no Node event within " + TIMEOUT + " ms");
            }
            return event;
        }
    }

    @Test
    public void handlersFollowTheClusterAndAConfigurationChangeRebuildsTheClient() throws Exception {
        Path etc = Path.of(context.getProperty("ovnk.etc"));
        String first = System.getProperty("ovnk.test.apiserver.first");
        String second = System.getProperty("ovnk.test.apiserver.second");
        ServiceTracker<KubernetesClient, KubernetesClient> clients = new ServiceTracker<>(context, KubernetesClient.class, null);
        ServiceTracker<Leadership, Leadership> leadership = new ServiceTracker<>(context, Leadership.class, null);
        clients.open();
        leadership.open();
        NodeEvents handler = new NodeEvents();
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ResourceHandler.WORKERS, 1);
        ServiceRegistration<?> registration = context.registerService(ResourceHandler.class.getName(), handler, properties);
        try {
            Files.writeString(etc.resolve("io.ovnk.kube.cfg"), "api.server = " + first + "\n");
            KubernetesClient client = clients.waitForService(TIMEOUT);
            assertNotNull("the KubernetesClient service", client);
            ServiceReference<KubernetesClient> firstReference = clients.getServiceReference();
            assertEquals("added node-a", handler.next());
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-b").endMetadata().build()).create();
            assertEquals("added node-b", handler.next());
            client.nodes().withName("node-a").delete();
            assertEquals("deleted node-a", handler.next());

            Leadership leader = leadership.waitForService(TIMEOUT);
            assertNotNull("the master feature's leader election made this process leader", leader);
            assertEquals("ovn-kubernetes/ovnkube-master", leader.lease());
            assertEquals(leader.identity(), client.leases().inNamespace("ovn-kubernetes").withName("ovnkube-master").get()
                    .getSpec().getHolderIdentity());

            Informers informers = context.getService(context.getServiceReference(Informers.class));
            assertTrue(informers.queues().toString(), informers.queues().stream()
                    .anyMatch(queue -> queue.kind().equals("Node") && queue.workers() == 1 && queue.failures() == 0));
            Object commands = context.getService(context.getServiceReferences(Object.class, "(osgi.command.scope=kube)")
                    .iterator().next());
            String queues = (String) commands.getClass().getMethod("queues").invoke(commands);
            assertTrue(queues, queues.contains("Node"));

            // a new API server: the client, the informers and the election start over on it; the handler stays
            Files.writeString(etc.resolve("io.ovnk.kube.cfg"), "api.server = " + second + "\n");
            assertEquals("added node-x", handler.next());
            ServiceReference<KubernetesClient> secondReference = clients.getServiceReference();
            assertNotNull(secondReference);
            assertNotEquals("a new client service", firstReference.getProperty("service.id"),
                    secondReference.getProperty("service.id"));
            assertEquals(second, secondReference.getProperty("kube.api.server"));
            assertTrue("nothing else arrived: " + handler.events, handler.events.isEmpty());
        } finally {
            registration.unregister();
            // etc/ is emptied at the next run; deleting the file here would race the framework's stop
            clients.close();
            leadership.close();
        }
    }
}
