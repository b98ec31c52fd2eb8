package io.ovnk.ipam.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.PodAddresses;
import io.ovnk.ipam.SubnetExhaustedException;
import io.ovnk.ipam.SubnetUsage;
import io.ovnk.ipam.UnknownNodeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many threads allocating and releasing pod addresses on shared nodes while others add and remove nodes and
 * the configuration changes live: an address is never held by two pods at once, and at the end the allocator's
 * usage equals what the threads hold.
 */
class IpamConcurrencyTest {

    private static final int POD_THREADS = 8;
    private static final int OPERATIONS = 40_000;
    private static final List<String> NODES = List.of("n0", "n1", "n2", "n3");

    @Test
    void concurrentCallsNeverHandOutAnAddressTwice() throws Exception {
        // /27 node subnets: 28 pod addresses each, so 8 threads on 4 nodes keep running into full subnets
        IpamAllocator ipam = IpamAllocator.of(new String[] { "10.0.0.0/20/27", "fd00::/56" }, new String[0],
                new String[0], new String[0], new int[0]);
        NODES.forEach(ipam::allocateNodeSubnets);
        Map<IpAddress, Integer> held = new ConcurrentHashMap<>();
        AtomicInteger exhausted = new AtomicInteger();
        AtomicInteger allocated = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(POD_THREADS + 2);
        try {
            List<Future<List<PodAddresses>>> workers = new ArrayList<>();
            for (int t = 0; t < POD_THREADS; t++) {
                int id = t;
                workers.add(threads.submit(() -> podWorker(ipam, id, held, exhausted, allocated)));
            }
            Future<Integer> churn = threads.submit(() -> nodeChurn(ipam));
            Future<Integer> reconfigurations = threads.submit(() -> reconfigure(ipam));
            List<PodAddresses> stillHeld = new ArrayList<>();
            for (Future<List<PodAddresses>> worker : workers) {
                stillHeld.addAll(worker.get(2, TimeUnit.MINUTES));
            }
            assertTrue(churn.get(2, TimeUnit.MINUTES) > 0);
            assertTrue(reconfigurations.get(2, TimeUnit.MINUTES) > 0);

            assertTrue(exhausted.get() > 0, "the subnets filled up at times, so exhaustion raced with release too");
            assertTrue(allocated.get() > OPERATIONS, "allocations happened: " + allocated.get());
            int inUse = ipam.usage().stream().filter(u -> NODES.contains(u.node())).mapToInt(SubnetUsage::allocated).sum();
            assertEquals(stillHeld.stream().mapToInt(pod -> pod.addresses().size()).sum(), inUse,
                    "the allocator's usage equals what the threads hold");
            assertEquals(held.size(), inUse);
        } finally {
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(1, TimeUnit.MINUTES));
        }
    }

    private static List<PodAddresses> podWorker(IpamAllocator ipam, int id, Map<IpAddress, Integer> held,
            AtomicInteger exhausted, AtomicInteger allocated) {
        Random random = new Random(id);
        List<PodAddresses> mine = new ArrayList<>();
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < OPERATIONS; i++) {
            if (mine.isEmpty() || random.nextInt(100) < 55) {
                String node = NODES.get(random.nextInt(NODES.size()));
                try {
                    PodAddresses pod = ipam.allocatePodAddresses(node);
                    for (IpAddress address : pod.ips()) {
                        Integer other = held.putIfAbsent(address, id);
                        if (other != null) {
                            throw new AssertionError(address + " handed to thread " + id + " while thread " + other
                                    + " holds it");
                        }
                    }
                    mine.add(pod);
                    nodes.add(node);
                    allocated.incrementAndGet();
                } catch (SubnetExhaustedException e) {
                    exhausted.incrementAndGet();
                }
            } else {
                int victim = random.nextInt(mine.size());
                PodAddresses pod = mine.remove(victim);
                String node = nodes.remove(victim);
                pod.ips().forEach(held::remove); // before the release: afterwards another thread may get it
                assertEquals(pod.ips().size(), ipam.releasePodAddresses(node, pod.ips()));
            }
        }
        return mine;
    }

    /** Other nodes come and go all the time, so the node index is replaced under the pod threads' feet. */
    private static int nodeChurn(IpamAllocator ipam) {
        int rounds = 0;
        for (int i = 0; i < 2_000; i++) {
            String node = "churn" + (i % 16);
            if (ipam.nodeSubnets(node).isPresent()) {
                ipam.releaseNodeSubnets(node);
            } else {
                ipam.allocateNodeSubnets(node);
                try {
                    ipam.allocatePodAddresses(node);
                } catch (UnknownNodeException e) {
                    throw new AssertionError("a node just allocated must be known", e);
                }
            }
            rounds++;
        }
        return rounds;
    }

    /** Live reconfigurations that keep every allocation: extra cluster subnets come and go. */
    private static int reconfigure(IpamAllocator ipam) {
        IpamSettings small = ipam.settings();
        IpamSettings large = IpamSettings.parse(new String[] { "10.0.0.0/20/27", "fd00::/56", "10.1.0.0/20/27" },
                new String[0], new String[0], new String[0], new int[0]);
        int applied = 0;
        for (int i = 0; i < 200; i++) {
            if (ipam.reconfigure(i % 2 == 0 ? large : small)) {
                applied++;
            }
        }
        Cidr first = ipam.nodeSubnets("n0").orElseThrow().subnets().get(0);
        assertEquals(Cidr.parse("10.0.0.0/27"), first, "n0 kept its subnet through every reconfiguration");
        return applied;
    }
}
