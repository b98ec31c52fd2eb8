package io.ovnk.itests.framework;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.Remote;
import io.ovnk.ovsdb.TableMonitor;
import java.util.Hashtable;
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
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The OVSDB connection service inside the framework, configured through Config Admin, against a real
 * OVN_Northbound ovsdb-server that the test driver starts.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OvsdbConnectionIT {

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws Exception {
        Map<String, String> northbound = RealNorthbound.start();
        return OptionUtils.combine(Provisioning.features(List.of("platform", "core"), List.of()),
                systemProperty("ovnk.test.nb.tcp").value(northbound.getOrDefault("tcp", "")),
                systemProperty("ovnk.test.nb.unix").value(northbound.getOrDefault("unix", "")),
                systemProperty("ovnk.test.nb.missing").value(northbound.getOrDefault("missing", "")));
    }

    @Test
    public void aFactoryConfigurationBecomesAConnectionServiceThatFollowsLiveChanges() throws Exception {
        Assume.assumeTrue("needs a real OVN stack: " + System.getProperty("ovnk.test.nb.missing"),
                System.getProperty("ovnk.test.nb.missing").isEmpty());
        org.osgi.service.cm.Configuration configuration = configAdmin.getFactoryConfiguration(
                "io.ovnk.ovsdb.connection", "nb", "?");
        configuration.update(new Hashtable<>(Map.of("database", "OVN_Northbound",
                "remotes", System.getProperty("ovnk.test.nb.tcp"))));
        ServiceTracker<OvsdbClient, OvsdbClient> tracker = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + OvsdbClient.class.getName() + ")(database=OVN_Northbound))"), null);
        tracker.open();
        try {
            OvsdbClient nb = tracker.waitForService(10_000);
            assertNotNull("the connection service for OVN_Northbound", nb);
            ServiceReference<OvsdbClient> reference = tracker.getServiceReference();
            nb.connected().get(10, TimeUnit.SECONDS);
            assertTrue(nb.listDatabases().get(10, TimeUnit.SECONDS).contains("OVN_Northbound"));
            nb.monitor(TableMonitor.of("Logical_Switch")).get(10, TimeUnit.SECONDS);
            nb.transact(Operation.insert("Logical_Switch").set("name", "from-osgi")).get(10, TimeUnit.SECONDS);
            nb.cache().await("Logical_Switch", row -> "from-osgi".equals(row.string("name")),
                    java.time.Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);

            // live: new remotes reconnect the same service object, keeping its cache
            java.util.concurrent.CompletableFuture<Void> moved = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.atomic.AtomicBoolean left = new java.util.concurrent.atomic.AtomicBoolean();
            AutoCloseable watching = nb.listenState(state -> {
                if (state == OvsdbClient.State.CONNECTING) {
                    left.set(true);
                } else if (state == OvsdbClient.State.CONNECTED && left.get()) {
                    moved.complete(null);
                }
            });
            configuration.update(new Hashtable<>(Map.of("database", "OVN_Northbound",
                    "remotes", System.getProperty("ovnk.test.nb.unix"), "request.timeout.ms", "20000")));
            moved.get(20, TimeUnit.SECONDS);
            watching.close();
            nb.transact(Operation.insert("Logical_Switch").set("name", "after-move")).get(20, TimeUnit.SECONDS);
            nb.cache().await("Logical_Switch", row -> "after-move".equals(row.string("name")),
                    java.time.Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
            assertEquals(Remote.parse(System.getProperty("ovnk.test.nb.unix")), nb.remote().orElseThrow());
            assertSame("the same service, not a new registration", reference, tracker.getServiceReference());
            assertEquals(2, nb.connections());

            // a bad value is refused and the running settings stay: once DS has passed the new configuration
            // (the service's properties show it), the connection is still where it was
            java.util.concurrent.CountDownLatch passed = new java.util.concurrent.CountDownLatch(1);
            org.osgi.framework.ServiceListener modified = event -> {
                if (event.getType() == org.osgi.framework.ServiceEvent.MODIFIED
                        && "tcp:nowhere".equals(event.getServiceReference().getProperty("remotes"))) {
                    passed.countDown();
                }
            };
            context.addServiceListener(modified, "(objectClass=" + OvsdbClient.class.getName() + ")");
            configuration.update(new Hashtable<>(Map.of("database", "OVN_Northbound", "remotes", "tcp:nowhere")));
            assertTrue("DS passed the configuration on", passed.await(10, TimeUnit.SECONDS));
            context.removeServiceListener(modified);
            nb.echo().get(10, TimeUnit.SECONDS);
            assertEquals(2, nb.connections());
            assertEquals(Remote.parse(System.getProperty("ovnk.test.nb.unix")), nb.remote().orElseThrow());
        } finally {
            tracker.close();
            configuration.delete();
        }
    }
}
