package io.ovnk.bench;

import io.ovnk.ipam.PodAddresses;
import io.ovnk.ipam.internal.IpamAllocator;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Pod address allocate+release pairs through the public API, against the floor: the same next-fit walk over a
 * bare {@link BitSet} with no API, no locks and no result objects. Each subnet is kept half full, so the search
 * has to step over taken addresses as it would in a busy node.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IpamThroughput {

    static final String[] CLUSTER = { "10.128.0.0/14/24" };
    static final int HALF = 126;

    /** One allocator shared by every thread, as the master's controllers share the service. */
    @State(Scope.Benchmark)
    public static class Shared {
        IpamAllocator ipam;

        @Setup(Level.Trial)
        public void setUp() {
            ipam = IpamAllocator.of(CLUSTER, new String[0], new String[0], new String[0], new int[0]);
            ipam.allocateNodeSubnets("shared");
            for (int i = 0; i < HALF; i++) {
                ipam.allocatePodAddresses("shared");
            }
        }
    }

    /** Each thread's own node, as pods of different nodes are handled concurrently. */
    @State(Scope.Thread)
    public static class OwnNode {
        String node;

        @Setup(Level.Trial)
        public void setUp(Shared shared, ThreadParams thread) {
            node = "node" + thread.getThreadIndex();
            shared.ipam.allocateNodeSubnets(node);
            for (int i = 0; i < HALF; i++) {
                shared.ipam.allocatePodAddresses(node);
            }
        }
    }

    /** The floor: a half-full /24 as a BitSet, next-fit by hand. */
    @State(Scope.Thread)
    public static class Floor {
        final BitSet bits = new BitSet(256);
        int cursor = 3;

        @Setup(Level.Trial)
        public void setUp() {
            bits.set(0, 3);
            bits.set(255);
            for (int i = 3; i < 3 + HALF; i++) {
                bits.set(i * 2 % 252 + 3);
            }
        }
    }

    @Benchmark
    public int pairOnOwnNode(Shared shared, OwnNode node) {
        PodAddresses pod = shared.ipam.allocatePodAddresses(node.node);
        return shared.ipam.releasePodAddresses(node.node, pod.ips());
    }

    /** An allocator per thread: nothing shared at all, the ceiling of what two threads can do. */
    @State(Scope.Thread)
    public static class OwnAllocator {
        IpamAllocator ipam;

        @Setup(Level.Trial)
        public void setUp() {
            ipam = IpamAllocator.of(CLUSTER, new String[0], new String[0], new String[0], new int[0]);
            ipam.allocateNodeSubnets("own");
            for (int i = 0; i < HALF; i++) {
                ipam.allocatePodAddresses("own");
            }
        }
    }

    @Benchmark
    public int pairOnOwnAllocator(OwnAllocator own) {
        PodAddresses pod = own.ipam.allocatePodAddresses("own");
        return own.ipam.releasePodAddresses("own", pod.ips());
    }

    @Benchmark
    public int pairOnSharedNode(Shared shared) {
        PodAddresses pod = shared.ipam.allocatePodAddresses("shared");
        return shared.ipam.releasePodAddresses("shared", pod.ips());
    }

    @Benchmark
    public int floor(Floor floor) {
        int offset = floor.bits.nextClearBit(floor.cursor);
        if (offset >= 255) {
            offset = floor.bits.nextClearBit(3);
        }
        floor.bits.set(offset);
        floor.cursor = offset + 1;
        floor.bits.clear(offset);
        return offset;
    }
}
