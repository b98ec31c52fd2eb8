package io.ovnk.itests.framework;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.fabric8.kubernetes.api.model.Node;
import io.ovnk.kube.Leadership;
import io.ovnk.kube.ResourceHandler;
import io.ovnk.ovsdb.OvsdbClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The Gogo commands of scope ovnk as an operator runs them, through Gogo's own CommandProcessor, in a master
 * process (platform, core, master, overlay) configured through etc/ against a mock API server and a real
 * Northbound: status names the Northbound connection and its state, health names the overlay node component that
 * waits for its configuration (io.ovnk.overlay.node), nodes shows the mock server's node with the subnet the master
 * gave it, and every command answers -o json.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellIT {

    private static final long TIMEOUT = 20_000;

    @Inject
    BundleContext context;

    @Inject
    CommandProcessor processor;

    @Configuration
    public Option[] config() throws Exception {
        Map<String, String> northbound = RealNorthbound.start();
        return OptionUtils.combine(Provisioning.features(List.of("platform", "core", "master", "overlay"), List.of()),
                systemProperty("ovnk.test.apiserver").value(MockApiServer.startWithNodes("node-a")),
                systemProperty("ovnk.test.nb.unix").value(northbound.getOrDefault("unix", "")),
                systemProperty("ovnk.test.nb.missing").value(northbound.getOrDefault("missing", "")));
    }

    /** Node events, "name subnets-annotation-or-null", from the same shared informer the commands read. */
    static final class NodeEvents implements ResourceHandler<Node> {
        final BlockingQueue<Node> nodes = new LinkedBlockingQueue<>();

        @Override
        public Class<Node> resourceType() {
            return Node.class;
        }

        @Override
        public void added(Node node) {
            nodes.add(node);
        }

        @Override
        public void updated(Node previous, Node current) {
            nodes.add(current);
        }

        @Override
        public void deleted(Node node) {
        }

        /** Waits for an event of the node carrying the annotation. */
        void awaitAnnotated(String name, String annotation) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT);
            while (true) {
                long left = deadline - System.nanoTime();
                Node node = left > 0 ? nodes.poll(left, TimeUnit.NANOSECONDS) : null;
                if (node == null) {
                    throw new AssertionError("node " + name + " not annotated with " + annotation + " within " + TIMEOUT + " ms");
                }
                Map<String, String> annotations = node.getMetadata().getAnnotations();
                if (name.equals(node.getMetadata().getName()) && annotations != null && annotations.containsKey(annotation)) {
                    return;
                }
            }
        }
    }

    @Test
    public void theCommandsShowConnectionsWaitingComponentsAndTheClusterAsAnOperatorSeesThem() throws Exception {
        boolean realNorthbound = System.getProperty("ovnk.test.nb.missing").isEmpty();
        Path etc = Path.of(context.getProperty("ovnk.etc"));
        String nbRemote = realNorthbound ? System.getProperty("ovnk.test.nb.unix") : "unix:" + etc.resolve("no-nb.sock");
        NodeEvents events = new NodeEvents();
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ResourceHandler.WORKERS, 1);
        ServiceRegistration<?> handler = context.registerService(ResourceHandler.class.getName(), events, properties);
        ServiceTracker<Leadership, Leadership> leadership = new ServiceTracker<>(context, Leadership.class, null);
        ServiceTracker<OvsdbClient, OvsdbClient> nbs = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + OvsdbClient.class.getName() + ")(database=OVN_Northbound))"), null);
        leadership.open();
        nbs.open();
        try {
            // before anything is configured: the Kubernetes client is what everything waits for, and health says so
            String before = execute("ovnk:health");
            assertTrue(before, before.startsWith("NOT OK\n"));
            assertTrue(before, before.contains("io.ovnk.kube.internal.KubeClientComponent"));
            assertTrue(before, before.contains("needs configuration io.ovnk.kube (etc/io.ovnk.kube.cfg), which does not exist"));
            assertTrue(before, before.contains("it comes from io.ovnk.kube.internal.KubeClientComponent, which needs "
                    + "configuration io.ovnk.kube"));

            Files.writeString(etc.resolve("io.ovnk.kube.cfg"), "api.server = " + System.getProperty("ovnk.test.apiserver") + "\n");
            Files.writeString(etc.resolve("io.ovnk.ovsdb.connection~nb.cfg"), "database = OVN_Northbound\nremotes = "
                    + nbRemote + "\n");
            assertNotNull("this process leads", leadership.waitForService(TIMEOUT));
            OvsdbClient nb = nbs.waitForService(TIMEOUT);
            assertNotNull("the Northbound connection service", nb);
            if (realNorthbound) {
                nb.connected().get(TIMEOUT, TimeUnit.MILLISECONDS);
                events.awaitAnnotated("node-a", "k8s.ovn.org/node-subnets");
            }

            String status = execute("ovnk:status");
            String nbLine = status.lines().filter(line -> line.startsWith("OVN_Northbound")).findFirst()
                    .orElseThrow(() -> new AssertionError("no OVN_Northbound line in\n" + status));
            assertTrue(nbLine, nbLine.matches("OVN_Northbound\\s+" + (realNorthbound ? "connected" : "connecting") + "\\s+.*"));
            assertTrue(nbLine, nbLine.contains(nbRemote));
            assertTrue(status, status.contains("leadership  leads: "));
            assertTrue(status, status.contains("io.ovnk.overlay.internal.OverlayNodeComponent"));
            assertTrue(status, status.contains("not configured  needs configuration io.ovnk.overlay.node "
                    + "(etc/io.ovnk.overlay.node.cfg), which does not exist"));
            String statusJson = execute("ovnk:status -o json");
            assertTrue(statusJson, statusJson.contains("\"database\" : \"OVN_Northbound\""));
            assertTrue(statusJson, statusJson.contains("\"pid\" : \"io.ovnk.overlay.node\""));

            String health = execute("ovnk:health");
            assertTrue(health, health.contains("io.ovnk.overlay.internal.OverlayNodeComponent"));
            if (realNorthbound) {
                assertTrue("a configured master is healthy; what is not configured here is not meant to run:\n" + health,
                        health.startsWith("OK\n"));
            }
            assertTrue(execute("ovnk:health --json"), execute("ovnk:health --json").contains("\"kind\" : \"MISSING_CONFIGURATION\""));

            String nodes = execute("ovnk:nodes");
            assertTrue(nodes, nodes.lines().anyMatch(line -> line.startsWith("node-a ")
                    && (!realNorthbound || line.matches("node-a\\s+10\\.12[89]\\.\\d+\\.0/23\\s.*"))));
            assertTrue(nodes, nodes.endsWith("1 node\n"));
            String nodesJson = execute("ovnk:nodes -o json");
            assertTrue(nodesJson, nodesJson.startsWith("[") && nodesJson.contains("\"name\" : \"node-a\""));

            if (realNorthbound) {
                String subnets = execute("ovnk:subnets");
                assertTrue(subnets, subnets.lines().anyMatch(line -> line.matches("node-a\\s+10\\.12[89]\\.\\d+\\.0/23\\s+.*")));
                String switches = execute("ovnk:ovsdb nb Logical_Switch name=node-a");
                assertTrue(switches, switches.contains(" node-a ") && switches.endsWith("1 Logical_Switch row\n"));
                String notMonitored = execute("ovnk:ovsdb OVN_Northbound Meter");
                assertTrue(notMonitored, notMonitored.startsWith("Meter of OVN_Northbound is not monitored by any "
                        + "component of this process"));
            }
            assertEquals("no OVN_Southbound connection in this process (connections: [OVN_Northbound]); configure "
                    + "io.ovnk.ovsdb.connection~NAME with database = OVN_Southbound\n", execute("ovnk:ovsdb sb Chassis"));
            assertEquals("unknown option -x (options: -o json|text, --json)\nusage: ovnk:pods [namespace] [-o json]\n",
                    execute("ovnk:pods -x"));
        } finally {
            handler.unregister();
            leadership.close();
            nbs.close();
        }
    }

    /** Runs a command line in a Gogo session, as the console does, and returns what the command returned. */
    private String execute(String line) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, "UTF-8");
                CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            Object result = session.execute(line);
            assertTrue(line + " returned " + result + "; printed: " + out, result instanceof String);
            return (String) result;
        }
    }
}
