package io.ovnk.ipam.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ovnk.ipam.AddressUnavailableException;
import io.ovnk.ipam.AddressUnavailableException.Reason;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.ClusterSubnet;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.NodeSubnets;
import io.ovnk.ipam.PodAddresses;
import io.ovnk.ipam.Recovery;
import io.ovnk.ipam.Recovery.AddressClaim;
import io.ovnk.ipam.RecoveryReport;
import io.ovnk.ipam.SubnetExhaustedException;
import io.ovnk.ipam.SubnetUsage;
import io.ovnk.ipam.UnknownNodeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of node and pod operations over small subnets (so they fill up), checked after every step
 * against a model written independently of the allocator: nothing is handed out twice, every address lies in
 * its node subnet, reserved addresses never leave, exhaustion is reported exactly when the model is full,
 * failures change nothing, and recovering the model's state into a fresh allocator reproduces it.
 * A failure names its seed; {@code -Dipam.property.seed=N} replays it.
 */
class IpamPropertiesTest {

    private static final int SEQUENCES = 400;
    private static final int STEPS = 300;
    private static final String[] SERVICES = { "172.16.1.0/24" };
    private static final String[] JOINS = { "100.64.0.0/16" };

    /** Configurations that run out quickly: few node subnets, few addresses each, exclusions of both kinds. */
    private static final List<Config> CONFIGS = List.of(
            new Config(new String[] { "10.0.0.0/26/29" }, new String[0], new int[0]),
            new Config(new String[] { "10.0.0.0/26/29", "10.1.0.0/28/29" }, new String[] { "10.0.0.16/29", "10.0.0.36/30" },
                    new int[0]),
            new Config(new String[] { "10.0.0.0/27/28" }, new String[] { "10.0.0.20/30" }, new int[] { 3, 9 }),
            new Config(new String[] { "10.0.0.0/27/29", "fd00::/62" }, new String[0], new int[0]),
            new Config(new String[] { "fd00::/61", "10.0.0.0/26/29" }, new String[] { "10.0.0.8/29", "fd00:0:0:3::/64" },
                    new int[] { 3 }),
            new Config(new String[] { "fd00::/61" }, new String[] { "fd00:0:0:1::8/125" }, new int[0]));

    private record Config(String[] cluster, String[] excluded, int[] reserved) {
        IpamSettings settings() {
            return IpamSettings.parse(cluster, SERVICES, JOINS, excluded, reserved);
        }

        @Override
        public String toString() {
            return Arrays.toString(cluster) + " excluded " + Arrays.toString(excluded) + " reserved "
                    + Arrays.toString(reserved);
        }
    }

    @Test
    void randomSequencesKeepEveryInvariant() {
        long base = Long.getLong("ipam.property.seed", new Random().nextLong());
        for (int i = 0; i < SEQUENCES; i++) {
            long seed = base + i;
            Run run = new Run(seed);
            try {
                run.execute();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " (replay: -Dipam.property.seed=" + seed + "), config "
                        + run.config + ", last steps " + run.lastSteps() + ": " + e, e);
            }
        }
    }

    /** One sequence: an allocator, the model, the steps. */
    private static final class Run {

        final Random random;
        final Config config;
        final IpamSettings settings;
        final IpamAllocator ipam;
        final Map<String, List<Cidr>> nodes = new TreeMap<>();
        final Map<IpAddress, String> held = new HashMap<>(); // address -> pod
        final Map<String, List<IpAddress>> pods = new LinkedHashMap<>(); // pod -> its addresses
        final Map<String, String> podNode = new HashMap<>();
        final List<String> log = new ArrayList<>();
        final Map<Cidr, Long> allocatable = new HashMap<>();
        int podCounter;

        Run(long seed) {
            random = new Random(seed);
            config = CONFIGS.get(random.nextInt(CONFIGS.size()));
            settings = config.settings();
            ipam = new IpamAllocator(settings);
        }

        String lastSteps() {
            return log.subList(Math.max(0, log.size() - 12), log.size()).toString();
        }

        void execute() {
            for (int step = 0; step < STEPS; step++) {
                int dice = random.nextInt(100);
                String node = "node" + random.nextInt(12);
                if (dice < 15) {
                    addNode(node);
                } else if (dice < 20) {
                    removeNode(node);
                } else if (dice < 55) {
                    allocatePod(node);
                } else if (dice < 70) {
                    staticPod(node);
                } else if (dice < 95) {
                    releasePod();
                } else {
                    releaseReserved(node);
                }
                if (step % 5 == 4) {
                    checkUsage(); // every step would be 20 times the cost of the steps themselves
                }
            }
            checkUsage();
            checkRecovery();
        }

        // ---- steps

        void addNode(String node) {
            log.add("add " + node);
            List<Cidr> known = nodes.get(node);
            try {
                NodeSubnets got = ipam.allocateNodeSubnets(node);
                if (known != null) {
                    assertEquals(known, got.subnets(), "a node keeps its subnets");
                    return;
                }
                assertEquals(families().size(), got.subnets().size(), "one subnet per family");
                for (Cidr subnet : got.subnets()) {
                    assertTrue(validNodeSubnet(subnet), subnet + " is a node subnet of " + config);
                    nodes.values().forEach(other -> assertTrue(other.stream().noneMatch(subnet::overlaps),
                            subnet + " is already held"));
                }
                nodes.put(node, got.subnets());
            } catch (SubnetExhaustedException e) {
                assertTrue(known == null, "a node holding subnets is never refused");
                Family family = e.subnets().get(0).family();
                long held = nodes.values().stream().flatMap(List::stream).filter(s -> s.family() == family).count();
                assertEquals(usableSlots(family), held, "exhausted only when every usable node subnet is held");
                assertTrue(ipam.nodeSubnets(node).isEmpty(), "a refused node holds nothing");
            }
        }

        void removeNode(String node) {
            log.add("remove " + node);
            assertEquals(nodes.containsKey(node), ipam.releaseNodeSubnets(node));
            nodes.remove(node);
            List<String> gone = podNode.entrySet().stream().filter(e -> e.getValue().equals(node)).map(Map.Entry::getKey).toList();
            for (String pod : gone) {
                pods.remove(pod).forEach(held::remove);
                podNode.remove(pod);
            }
        }

        void allocatePod(String node) {
            log.add("pod on " + node);
            if (!nodes.containsKey(node)) {
                expect(UnknownNodeException.class, () -> ipam.allocatePodAddresses(node));
                return;
            }
            try {
                PodAddresses got = ipam.allocatePodAddresses(node);
                assertEquals(families().size(), got.addresses().size(), "one address per family");
                record(node, got);
            } catch (SubnetExhaustedException e) {
                Cidr full = e.subnets().get(0);
                assertTrue(nodes.get(node).contains(full), "the full subnet is the node's: " + full);
                long used = held.keySet().stream().filter(full::contains).count();
                assertEquals(allocatable(full), used, "exhausted only when " + full + " is full");
            }
        }

        void staticPod(String node) {
            List<Cidr> subnets = nodes.get(node);
            if (subnets == null) {
                log.add("static on unknown " + node);
                IpAddress inCluster = settings.clusterSubnets().get(0).cidr().network().plus(5);
                expect(UnknownNodeException.class, () -> ipam.allocatePodAddresses(node, List.of(inCluster)));
                return;
            }
            List<IpAddress> requested = new ArrayList<>();
            int skipped = subnets.size() > 1 && random.nextInt(3) == 0 ? random.nextInt(subnets.size()) : -1;
            for (Cidr subnet : subnets) {
                if (subnets.indexOf(subnet) == skipped) {
                    continue; // sometimes one family only
                }
                long span = subnet.family() == Family.IPV4 ? 1L << subnet.hostBits() : 20;
                long offset = random.nextInt(10) == 0 ? span + random.nextInt(3) : random.nextInt((int) span);
                if (subnet.family() == Family.IPV6 && random.nextInt(10) == 0) {
                    offset = ClusterRange.IPV6_POOL_SIZE + random.nextInt(3); // beyond the handed-out part
                }
                requested.add(subnet.network().plus(offset));
            }
            log.add("static " + requested + " on " + node);
            Reason expected = null;
            for (IpAddress address : requested.stream().sorted().toList()) {
                Cidr subnet = subnets.stream().filter(s -> s.family() == address.family()).findFirst().orElseThrow();
                Reason reason = !subnet.contains(address) || beyondPool(subnet, address) ? Reason.OUTSIDE
                        : reserved(subnet, address) ? Reason.RESERVED : held.containsKey(address) ? Reason.TAKEN : null;
                if (reason != null) {
                    expected = reason;
                    break;
                }
            }
            if (expected == null) {
                record(node, ipam.allocatePodAddresses(node, requested));
            } else {
                AddressUnavailableException e = expect(AddressUnavailableException.class,
                        () -> ipam.allocatePodAddresses(node, requested));
                assertEquals(expected, e.reason(), e.getMessage());
            }
        }

        void releasePod() {
            if (pods.isEmpty()) {
                return;
            }
            String pod = new ArrayList<>(pods.keySet()).get(random.nextInt(pods.size()));
            log.add("release " + pod);
            List<IpAddress> addresses = pods.remove(pod);
            String node = podNode.remove(pod);
            assertEquals(addresses.size(), ipam.releasePodAddresses(node, addresses));
            addresses.forEach(held::remove);
            assertEquals(0, ipam.releasePodAddresses(node, addresses), "a second release releases nothing");
        }

        void releaseReserved(String node) {
            List<Cidr> subnets = nodes.get(node);
            if (subnets == null) {
                return;
            }
            IpAddress gateway = subnets.get(0).network().plus(1);
            log.add("release reserved " + gateway);
            List<IpAddress> mixed = new ArrayList<>(held.keySet().stream().filter(subnets.get(0)::contains).limit(1).toList());
            mixed.add(gateway);
            assertEquals(Reason.RESERVED, expect(AddressUnavailableException.class,
                    () -> ipam.releasePodAddresses(node, mixed)).reason());
        }

        // ---- checks

        void record(String node, PodAddresses got) {
            String pod = "pod" + podCounter++;
            List<IpAddress> addresses = new ArrayList<>();
            for (Cidr address : got.addresses()) {
                IpAddress ip = address.address();
                Cidr subnet = nodes.get(node).stream().filter(s -> s.family() == ip.family()).findFirst().orElseThrow();
                assertEquals(subnet.prefixLength(), address.prefixLength());
                assertTrue(subnet.contains(ip), ip + " lies in " + subnet);
                assertTrue(!reserved(subnet, ip), ip + " is not reserved");
                String before = held.put(ip, pod);
                assertTrue(before == null, ip + " handed out twice: already held by " + before);
                addresses.add(ip);
                assertTrue(got.gateways().contains(subnet.network().plus(1)));
            }
            pods.put(pod, addresses);
            podNode.put(pod, node);
        }

        void checkUsage() {
            Map<String, Integer> expected = new TreeMap<>();
            nodes.forEach((node, subnets) -> subnets.forEach(subnet -> expected.put(node + " " + subnet,
                    (int) held.keySet().stream().filter(subnet::contains).count())));
            Map<String, Integer> actual = new TreeMap<>();
            for (SubnetUsage usage : ipam.usage()) {
                actual.put(usage.node() + " " + usage.subnet(), usage.allocated());
                assertEquals(allocatable(usage.subnet()), usage.allocatable(), "allocatable in " + usage.subnet());
            }
            assertEquals(expected, actual, "usage matches the model");
        }

        void checkRecovery() {
            IpamAllocator fresh = new IpamAllocator(settings);
            List<AddressClaim> claims = new ArrayList<>();
            pods.forEach((pod, addresses) -> addresses.forEach(ip -> claims.add(new AddressClaim(pod, podNode.get(pod), ip))));
            java.util.Collections.shuffle(claims, random);
            RecoveryReport report = fresh.recover(new Recovery(nodes, claims));
            assertEquals(List.of(), report.conflicts(), "the model's own state recovers without conflict");
            assertEquals(nodes.values().stream().mapToInt(List::size).sum(), report.nodeSubnets());
            assertEquals(claims.size(), report.addresses());
            assertEquals(ipam.allNodeSubnets(), fresh.allNodeSubnets(), "the same node subnets");
            assertEquals(ipam.usage(), fresh.usage(), "the same addresses in use");
            // and the recovered allocator hands out nothing that is held, until it is full
            for (String node : nodes.keySet()) {
                for (int i = 0; i < 8; i++) {
                    try {
                        for (Cidr address : fresh.allocatePodAddresses(node).addresses()) {
                            assertTrue(!held.containsKey(address.address()), address + " is held, yet handed out after recovery");
                        }
                    } catch (SubnetExhaustedException e) {
                        break;
                    }
                }
            }
        }

        // ---- the model's own arithmetic, independent of the allocator's

        List<Family> families() {
            return settings.clusterSubnets().stream().map(ClusterSubnet::family).distinct().toList();
        }

        boolean validNodeSubnet(Cidr subnet) {
            return subnet.isNetwork() && settings.clusterSubnets().stream().anyMatch(entry -> entry.cidr().contains(subnet)
                    && entry.hostPrefix() == subnet.prefixLength())
                    && settings.excludedSubnets().stream().noneMatch(exclusion -> exclusion.contains(subnet));
        }

        long usableSlots(Family family) {
            long slots = 0;
            for (ClusterSubnet entry : settings.clusterSubnets()) {
                if (entry.family() != family) {
                    continue;
                }
                long count = 1L << (entry.hostPrefix() - entry.cidr().prefixLength());
                for (long slot = 0; slot < count; slot++) {
                    Cidr subnet = nodeSubnet(entry, slot);
                    if (settings.excludedSubnets().stream().noneMatch(exclusion -> exclusion.contains(subnet))) {
                        slots++;
                    }
                }
            }
            return slots;
        }

        static Cidr nodeSubnet(ClusterSubnet entry, long slot) {
            IpAddress network = entry.cidr().network();
            if (entry.family() == Family.IPV6) {
                return new Cidr(IpAddress.ipv6(network.high() + slot, 0), 64);
            }
            return new Cidr(network.plus(slot << (32 - entry.hostPrefix())), entry.hostPrefix());
        }

        boolean beyondPool(Cidr subnet, IpAddress address) {
            return subnet.family() == Family.IPV6 && Long.compareUnsigned(address.low(), ClusterRange.IPV6_POOL_SIZE) >= 0;
        }

        boolean reserved(Cidr subnet, IpAddress address) {
            long offset = address.low() - subnet.network().low();
            if (offset <= 2 || (subnet.family() == Family.IPV4 && address.equals(subnet.last()))) {
                return true;
            }
            if (Arrays.stream(config.reserved).anyMatch(extra -> extra == offset)) {
                return true;
            }
            return settings.excludedSubnets().stream().anyMatch(exclusion -> exclusion.contains(address));
        }

        long allocatable(Cidr subnet) {
            return allocatable.computeIfAbsent(subnet, this::countAllocatable);
        }

        /** The subnet's size less its distinct reserved offsets, enumerated (the test's exclusions are small). */
        long countAllocatable(Cidr subnet) {
            long size = subnet.family() == Family.IPV4 ? 1L << subnet.hostBits() : ClusterRange.IPV6_POOL_SIZE;
            java.util.Set<Long> reservedOffsets = new java.util.HashSet<>(List.of(0L, 1L, 2L));
            if (subnet.family() == Family.IPV4) {
                reservedOffsets.add(size - 1);
            }
            Arrays.stream(config.reserved).forEach(extra -> reservedOffsets.add((long) extra));
            for (Cidr exclusion : settings.excludedSubnets()) {
                if (subnet.contains(exclusion)) {
                    for (long i = 0; i < 1L << exclusion.hostBits(); i++) {
                        reservedOffsets.add(exclusion.network().plus(i).low() - subnet.network().low());
                    }
                }
            }
            return size - reservedOffsets.stream().filter(offset -> offset < size).count();
        }

        static <T extends Throwable> T expect(Class<T> type, Runnable call) {
            try {
                call.run();
            } catch (Throwable t) {
                if (type.isInstance(t)) {
                    return type.cast(t);
                }
                throw new AssertionError("expected " + type.getSimpleName() + " but got " + t, t);
            }
            return fail("expected " + type.getSimpleName() + " but the call succeeded");
        }
    }
}
