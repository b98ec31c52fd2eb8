package io.ovnk.bench;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.Recovery;
import io.ovnk.ipam.Recovery.AddressClaim;
import io.ovnk.ipam.RecoveryReport;
import io.ovnk.ipam.SubnetExhaustedException;
import io.ovnk.ipam.internal.IpamAllocator;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The IPAM's figures, each beside a baseline measured in the same run: allocate+release throughput (JMH) against
 * a bare BitSet floor; recovering 5,000 full /24 node subnets against recording the same addresses in a
 * HashSet; node subnet allocation against a BitSet floor.
 */
public final class IpamBench {

    private static final int NODES = 5_000;
    private static final int REPEATS = 5;

    private IpamBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add(Report.heading("IPAM benchmark"));
        lines.add("");
        throughput(lines);
        recovery(lines);
        nodeSubnets(lines);
        Report.publish(lines);
    }

    // ---- allocate+release pairs (JMH)

    private static void throughput(List<String> lines) throws Exception {
        Map<String, Double> perSecond = new LinkedHashMap<>();
        for (int threads : new int[] { 1, 2 }) {
            Options options = new OptionsBuilder().include(IpamThroughput.class.getName() + "\\.")
                    .threads(threads).forks(3).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1)).shouldFailOnError(true).build();
            Collection<RunResult> results = new Runner(options).run();
            for (RunResult result : results) {
                String name = result.getParams().getBenchmark();
                perSecond.put(name.substring(name.lastIndexOf('.') + 1) + "/" + threads,
                        result.getPrimaryResult().getScore());
            }
        }
        double floor1 = perSecond.get("floor/1");
        double floor2 = perSecond.get("floor/2");
        lines.add("Allocate+release pairs per second (JMH, 3 forks of 5 x 1 s after 3 x 1 s warm-up, mean; each node "
                + "subnet a half-full /24):");
        lines.add("");
        lines.add("| run | threads | pairs/s | ratio |");
        lines.add("|---|---|---|---|");
        lines.add(row("floor: bare BitSet next-fit, no API", 1, floor1, "floor"));
        lines.add(row("ovnk IPAM, own node per thread", 1, perSecond.get("pairOnOwnNode/1"), String.format(Locale.ROOT,
                "%.2f x the floor (target >= 5,000,000 pairs/s)", perSecond.get("pairOnOwnNode/1") / floor1)));
        lines.add(row("floor: bare BitSet next-fit, no API", 2, floor2, "floor"));
        lines.add(row("ovnk IPAM, own node per thread", 2, perSecond.get("pairOnOwnNode/2"), String.format(Locale.ROOT,
                "%.2f x the floor; %.2f x one thread", perSecond.get("pairOnOwnNode/2") / floor2,
                perSecond.get("pairOnOwnNode/2") / perSecond.get("pairOnOwnNode/1"))));
        lines.add(row("ovnk IPAM, both threads on one node", 2, perSecond.get("pairOnSharedNode/2"),
                String.format(Locale.ROOT, "%.2f x one thread (one subnet, one lock)",
                        perSecond.get("pairOnSharedNode/2") / perSecond.get("pairOnSharedNode/1"))));
        lines.add(row("an allocator per thread (nothing shared)", 2, perSecond.get("pairOnOwnAllocator/2"),
                String.format(Locale.ROOT, "%.2f x one thread", perSecond.get("pairOnOwnAllocator/2")
                        / perSecond.get("pairOnOwnAllocator/1"))));
        lines.add("");
    }

    private static String row(String what, int threads, double perSecond, String ratio) {
        return String.format(Locale.ROOT, "| %s | %d | %,.0f | %s |", what, threads, perSecond, ratio);
    }

    // ---- recovery of 5,000 full /24 node subnets

    private static void recovery(List<String> lines) throws Exception {
        String[] cluster = { "10.128.0.0/11/24" };
        Map<String, List<Cidr>> subnets = new HashMap<>();
        List<AddressClaim> claims = new ArrayList<>(NODES * 252);
        IpamAllocator layout = IpamAllocator.of(cluster, new String[0], new String[0], new String[0], new int[0]);
        for (int n = 0; n < NODES; n++) {
            String node = "node" + n;
            Cidr subnet = layout.allocateNodeSubnets(node).subnets().get(0);
            subnets.put(node, List.of(subnet));
            for (int offset = 3; offset < 255; offset++) {
                claims.add(new AddressClaim("ns/pod-" + n + "-" + offset, node, subnet.network().plus(offset)));
            }
        }
        Recovery recovery = new Recovery(subnets, claims);
        layout = null;

        long[] ours = new long[REPEATS];
        long[] baseline = new long[REPEATS];
        for (int round = -2; round < REPEATS; round++) { // two warm-up rounds
            IpamAllocator ipam = IpamAllocator.of(cluster, new String[0], new String[0], new String[0], new int[0]);
            long start = System.nanoTime();
            RecoveryReport report = ipam.recover(recovery);
            long elapsed = System.nanoTime() - start;
            if (!report.conflicts().isEmpty() || report.addresses() != claims.size()) {
                throw new IllegalStateException("recovery: " + report.addresses() + " addresses, conflicts "
                        + report.conflicts().size());
            }
            start = System.nanoTime();
            Set<IpAddress> naive = new HashSet<>();
            for (AddressClaim claim : claims) {
                naive.add(claim.address());
            }
            long naiveElapsed = System.nanoTime() - start;
            if (round >= 0) {
                ours[round] = elapsed;
                baseline[round] = naiveElapsed;
            }
        }
        java.util.Arrays.sort(ours);
        java.util.Arrays.sort(baseline);

        long before = heapAfterGc();
        IpamAllocator kept = IpamAllocator.of(cluster, new String[0], new String[0], new String[0], new int[0]);
        kept.recover(recovery);
        long after = heapAfterGc();
        long ipamBytes = after - before;
        Set<IpAddress> naiveKept = new HashSet<>();
        for (AddressClaim claim : claims) {
            naiveKept.add(IpAddress.ipv4((int) claim.address().low())); // own objects, as a map of parsed addresses holds
        }
        long naiveBytes = heapAfterGc() - after;
        double perSubnet = ipamBytes / (double) NODES - 256 / 8.0;
        lines.add(String.format(Locale.ROOT, "Recovery of %,d node subnets (/24 from 10.128.0.0/11) holding %,d pod "
                + "addresses (every address but network, gateway, management and broadcast), median of %d after 2 "
                + "warm-ups: %.0f ms (range %.0f-%.0f; target < 1000 ms). Baseline in the same run: adding the same "
                + "addresses to a HashSet<IpAddress> takes %.0f ms (%.2f x ours).", NODES, claims.size(), REPEATS,
                ours[REPEATS / 2] / 1e6, ours[0] / 1e6, ours[REPEATS - 1] / 1e6, baseline[REPEATS / 2] / 1e6,
                baseline[REPEATS / 2] / (double) ours[REPEATS / 2]));
        lines.add("");
        lines.add(String.format(Locale.ROOT, "Heap held by the recovered allocator: %,d bytes = %.1f bytes per node "
                + "subnet beyond its 32 bytes of bits, one per address (target < 64); the HashSet of the same "
                + "addresses holds %,d bytes (%.0f x).", ipamBytes, perSubnet, naiveBytes, naiveBytes / (double) ipamBytes));
        lines.add("");
        if (kept.usage().size() != NODES || naiveKept.size() != claims.size()) {
            throw new IllegalStateException("lost state");
        }
    }

    // ---- node subnets

    private static void nodeSubnets(List<String> lines) {
        // 10.128.0.0/14 holds 512 /23 node subnets: allocating 5,000 from it must end in the typed error at 513
        String[] defaults = { "10.128.0.0/14/23" };
        IpamAllocator small = IpamAllocator.of(defaults, new String[0], new String[0], new String[0], new int[0]);
        int given = 0;
        String refusal = null;
        for (int n = 0; n < NODES; n++) {
            try {
                small.allocateNodeSubnets("node" + n);
                given++;
            } catch (SubnetExhaustedException e) {
                refusal = e.getMessage();
                break;
            }
        }
        String[] large = { "10.128.0.0/10/23" };
        long[] ours = new long[REPEATS];
        long[] floor = new long[REPEATS];
        for (int round = -2; round < REPEATS; round++) {
            IpamAllocator ipam = IpamAllocator.of(large, new String[0], new String[0], new String[0], new int[0]);
            long start = System.nanoTime();
            for (int n = 0; n < NODES; n++) {
                ipam.allocateNodeSubnets("node" + n);
            }
            long elapsed = System.nanoTime() - start;
            start = System.nanoTime();
            BitSet slots = new BitSet(1 << 13);
            Map<String, Integer> byNode = new HashMap<>();
            for (int n = 0; n < NODES; n++) {
                int slot = slots.nextClearBit(0);
                slots.set(slot);
                byNode.put("node" + n, slot);
            }
            long floorElapsed = System.nanoTime() - start;
            if (round >= 0) {
                ours[round] = elapsed;
                floor[round] = floorElapsed;
            }
        }
        java.util.Arrays.sort(ours);
        java.util.Arrays.sort(floor);
        lines.add(String.format(Locale.ROOT, "Node subnets: 10.128.0.0/14/23 holds %d /23 subnets, so 5,000 cannot come "
                + "from it; the allocator gave %d and then refused with \"%s\". 5,000 /23 subnets from 10.128.0.0/10/23 "
                + "(8,192 slots), one node at a time, median of %d after 2 warm-ups: %.1f ms (%.1f us per node). "
                + "Floor in the same run (a BitSet of slots and a HashMap of names, nothing else): %.1f ms (ours is "
                + "%.1f x).", 512, given, refusal, REPEATS, ours[REPEATS / 2] / 1e6, ours[REPEATS / 2] / 1e3 / NODES,
                floor[REPEATS / 2] / 1e6, ours[REPEATS / 2] / (double) floor[REPEATS / 2]));
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100); // let the collector settle: a measurement, not a synchronisation
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
