package io.ovnk.itests.framework;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.fail;

import io.ovnk.ipam.AddressUnavailableException;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.ClusterSubnet;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.Ipam;
import io.ovnk.ipam.NodeSubnets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The IPAM as an operator runs it: the master feature configures it, an etc/ file changes it live, and a
 * change that would orphan allocations is refused while the service keeps serving.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class IpamIT {

    private static final long TIMEOUT = 10_000;

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        return Provisioning.features(List.of("platform", "core", "master"), List.of());
    }

    @Test
    public void theMasterFeatureConfiguresTheAllocatorAndEtcChangesItLiveOrNotAtAll() throws Exception {
        ServiceTracker<Ipam, Ipam> tracker = new ServiceTracker<>(context, Ipam.class, null);
        tracker.open();
        try {
            Ipam ipam = tracker.waitForService(TIMEOUT);
            assertNotNull("the Ipam service, configured by the master feature", ipam);
            assertEquals(List.of(ClusterSubnet.parse("10.128.0.0/14/23")), ipam.clusterSubnets());
            NodeSubnets node1 = ipam.allocateNodeSubnets("node1");
            assertEquals(List.of(Cidr.parse("10.128.0.0/23")), node1.subnets());
            IpAddress pod = ipam.allocatePodAddresses("node1").ips().get(0);

            Path file = Path.of(context.getProperty("ovnk.etc")).resolve("io.ovnk.ipam.cfg");
            try (Modifications modifications = new Modifications(context)) {
                // a live change that keeps every allocation: applied, same service object
                Files.writeString(file, "cluster.subnets = 10.128.0.0/14/23, fd00:10:244::/48\n");
                ServiceReference<?> changed = modifications.awaitClusterSubnets("fd00:10:244::/48");
                assertSame(ipam, context.getService(changed));
                context.ungetService(changed);
                assertEquals(2, ipam.clusterSubnets().size());
                assertEquals(List.of(Cidr.parse("10.128.0.0/23"), Cidr.parse("fd00:10:244::/64")),
                        ipam.allocateNodeSubnets("node1").subnets());
                assertTaken(ipam, pod);

                // a change that would move node1's subnet out of the cluster: refused whole
                Files.writeString(file, "cluster.subnets = 10.132.0.0/14/23, fd00:10:244::/48\n");
                modifications.awaitClusterSubnets("10.132.0.0/14/23");
                assertEquals("the running configuration stays", List.of(ClusterSubnet.parse("10.128.0.0/14/23"),
                        ClusterSubnet.parse("fd00:10:244::/48/64")), ipam.clusterSubnets());
                assertTaken(ipam, pod);

                // a value the metatype accepts (a string) but the IPAM cannot parse: refused the same way
                Files.writeString(file, "cluster.subnets = 10.128.0.0/33/23\n");
                modifications.awaitClusterSubnets("10.128.0.0/33/23");
                assertEquals(2, ipam.clusterSubnets().size());
                assertEquals("allocation goes on", IpAddress.parse("10.128.0.4"),
                        ipam.allocatePodAddresses("node1").ips().get(0));

                // deleting the file reverts to the feature's default, which orphans node1's IPv6 subnet: refused
                Files.delete(file);
                modifications.awaitClusterSubnets("10.128.0.0/14/23");
                assertEquals(2, ipam.clusterSubnets().size());
            }
        } finally {
            tracker.close();
        }
    }

    private static void assertTaken(Ipam ipam, IpAddress address) {
        try {
            ipam.allocatePodAddresses("node1", List.of(address));
            fail(address + " was handed out twice");
        } catch (AddressUnavailableException e) {
            assertEquals(AddressUnavailableException.Reason.TAKEN, e.reason());
        }
    }

    /**
     * The Ipam service's MODIFIED events. SCR updates the service properties after the component's modified
     * method has returned, so seeing the new configuration on the service means the component has judged it.
     */
    private static final class Modifications implements ServiceListener, AutoCloseable {

        private final BundleContext context;
        private final BlockingQueue<ServiceReference<?>> modified = new LinkedBlockingQueue<>();

        Modifications(BundleContext context) throws Exception {
            this.context = context;
            context.addServiceListener(this, "(objectClass=" + Ipam.class.getName() + ")");
        }

        @Override
        public void serviceChanged(ServiceEvent event) {
            if (event.getType() == ServiceEvent.MODIFIED) {
                modified.add(event.getServiceReference());
            }
        }

        ServiceReference<?> awaitClusterSubnets(String entry) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT);
            while (true) {
                long left = deadline - System.nanoTime();
                ServiceReference<?> reference = left > 0 ? modified.poll(left, TimeUnit.NANOSECONDS) : null;
                if (reference == null) {
                    throw new AssertionError("the Ipam service never showed cluster.subnets with " + entry);
                }
                Object value = reference.getProperty("cluster.subnets");
                List<String> entries = value instanceof String[] array ? Arrays.asList(array) : List.of(String.valueOf(value));
                if (entries.stream().map(String::strip).toList().contains(entry)) {
                    return reference;
                }
            }
        }

        @Override
        public void close() {
            context.removeServiceListener(this);
        }
    }
}
