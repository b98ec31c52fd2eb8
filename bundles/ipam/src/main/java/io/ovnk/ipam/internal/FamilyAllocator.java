package io.ovnk.ipam.internal;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.ClusterSubnet;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The node subnets and pod addresses of one family: its cluster ranges in configured order, the exclusions and
 * extra reservations that apply inside them, and the index from node name to pool. Node-level changes happen
 * under the allocator's node lock; pod-level calls only read the (immutable, volatile) index.
 */
final class FamilyAllocator {

    private final Family family;
    private final List<ClusterRange> ranges;
    private final List<Cidr> exclusions;
    private final int[] extraOffsets;
    /** Per range: slots that are free to hand out (neither allocated nor wholly excluded); node lock. */
    private final int[] freeSlots;
    /** Per range: where the next-fit search for a free slot starts; node lock. */
    private final int[] slotCursors;
    private volatile NodeIndex index = NodeIndex.EMPTY;

    FamilyAllocator(Family family, List<ClusterSubnet> entries, List<Cidr> exclusions, int[] extraOffsets) {
        this.family = family;
        this.ranges = entries.stream().map(ClusterRange::new).toList();
        this.exclusions = List.copyOf(exclusions);
        this.extraOffsets = extraOffsets.clone();
        this.freeSlots = new int[ranges.size()];
        this.slotCursors = new int[ranges.size()];
        for (int r = 0; r < ranges.size(); r++) {
            freeSlots[r] = ranges.get(r).slots() - whollyExcludedSlots(ranges.get(r));
        }
    }

    Family family() {
        return family;
    }

    List<ClusterRange> ranges() {
        return ranges;
    }

    List<Cidr> clusterCidrs() {
        return ranges.stream().map(range -> range.subnet().cidr()).toList();
    }

    AddressPool pool(String node) {
        return index.get(node);
    }

    NodeIndex index() {
        return index;
    }

    /** Publishes a new index; node lock. */
    void index(NodeIndex next) {
        index = next;
    }

    /** The range holding {@code address} in its used part, or null. */
    ClusterRange rangeOf(IpAddress address) {
        for (ClusterRange range : ranges) {
            if (range.slotOf(address) >= 0) {
                return range;
            }
        }
        return null;
    }

    /** The range of which {@code nodeSubnet} is exactly one node subnet, or null. */
    ClusterRange rangeOfSubnet(Cidr nodeSubnet) {
        for (ClusterRange range : ranges) {
            if (range.slotOfSubnet(nodeSubnet) >= 0) {
                return range;
            }
        }
        return null;
    }

    /**
     * Allocates a node subnet next-fit, ranges in order, and places its pool (not yet in the index); null when
     * every range is full. Node lock.
     */
    AddressPool allocateSubnet(String node) {
        for (int r = 0; r < ranges.size(); r++) {
            if (freeSlots[r] == 0) {
                continue;
            }
            ClusterRange range = ranges.get(r);
            int slots = range.slots();
            for (int step = 0, slot = slotCursors[r]; step < slots; step++, slot = slot + 1 == slots ? 0 : slot + 1) {
                if (range.pool(slot) == null && !wholly(range, slot)) {
                    AddressPool pool = new AddressPool(node, range, slot, reservedBits(range, slot));
                    range.place(slot, pool);
                    freeSlots[r]--;
                    slotCursors[r] = slot + 1 == slots ? 0 : slot + 1;
                    return pool;
                }
            }
        }
        return null;
    }

    /**
     * Places a recovered pool on an exact slot; the caller checked that the slot is free and not excluded. Node
     * lock.
     */
    AddressPool placeSubnet(String node, ClusterRange range, int slot) {
        AddressPool pool = new AddressPool(node, range, slot, reservedBits(range, slot));
        range.place(slot, pool);
        int r = ranges.indexOf(range);
        freeSlots[r]--;
        if (slot >= slotCursors[r]) {
            slotCursors[r] = slot + 1 == range.slots() ? 0 : slot + 1;
        }
        return pool;
    }

    /** Adopts a pool moved from a previous configuration onto its slot here. Node lock. */
    void adopt(AddressPool pool, ClusterRange range, int slot) {
        range.place(slot, pool);
        freeSlots[ranges.indexOf(range)]--;
    }

    /** Clears a pool's slot (the pool is retired by the caller). Node lock. */
    void clear(AddressPool pool) {
        ClusterRange range = pool.range();
        int r = ranges.indexOf(range);
        if (r >= 0 && range.pool(pool.slot()) == pool) {
            range.place(pool.slot(), null);
            freeSlots[r]++;
        }
    }

    /** True when an exclusion covers the whole node subnet of the slot. */
    boolean wholly(ClusterRange range, int slot) {
        if (exclusions.isEmpty()) {
            return false;
        }
        Cidr subnet = range.nodeSubnet(slot);
        for (Cidr exclusion : exclusions) {
            if (exclusion.contains(subnet)) {
                return true;
            }
        }
        return false;
    }

    /** The bits a fresh pool of the slot starts with: every reserved offset set. */
    long[] reservedBits(ClusterRange range, int slot) {
        int size = range.poolSize();
        long[] bits = new long[(size + 63) >>> 6];
        set(bits, 0);
        set(bits, 1);
        set(bits, 2);
        if (family == Family.IPV4) {
            set(bits, size - 1);
        }
        for (int offset : extraOffsets) {
            set(bits, offset);
        }
        if (!exclusions.isEmpty()) {
            Cidr subnet = range.nodeSubnet(slot);
            for (Cidr exclusion : exclusions) {
                if (subnet.contains(exclusion)) {
                    int first = range.offsetOf(exclusion.network());
                    long count = exclusion.hostBits() >= 31 ? Long.MAX_VALUE : 1L << exclusion.hostBits();
                    for (long offset = first; first >= 0 && offset < size && offset - first < count; offset++) {
                        set(bits, (int) offset);
                    }
                } else if (exclusion.contains(subnet)) {
                    java.util.Arrays.fill(bits, -1L);
                }
            }
        }
        return bits;
    }

    /** True when the address is one that is never handed out in its node subnet. */
    boolean reserved(ClusterRange range, IpAddress address) {
        int offset = range.offsetOf(address);
        if (offset < 0) {
            return false; // beyond the tracked part of an IPv6 subnet: outside, which callers check first
        }
        if (offset <= 2 || (family == Family.IPV4 && offset == range.poolSize() - 1)) {
            return true;
        }
        for (int extra : extraOffsets) {
            if (extra == offset) {
                return true;
            }
        }
        for (Cidr exclusion : exclusions) {
            if (exclusion.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** What a reserved address is kept for, for messages. */
    String reservedFor(ClusterRange range, IpAddress address) {
        int offset = range.offsetOf(address);
        if (offset == 0) {
            return "the network address";
        }
        if (offset == 1) {
            return "the gateway (the cluster router's port)";
        }
        if (offset == 2) {
            return "the node's management port";
        }
        if (family == Family.IPV4 && offset == range.poolSize() - 1) {
            return "the broadcast address";
        }
        for (Cidr exclusion : exclusions) {
            if (exclusion.contains(address)) {
                return "excluded by " + IpamSettings.EXCLUDED_SUBNETS + " " + exclusion;
            }
        }
        return "reserved by " + IpamSettings.RESERVED_OFFSETS + " (offset " + offset + ")";
    }

    List<AddressPool> pools() {
        return index.pools();
    }

    /** Slots of the range that an exclusion covers whole; exclusions never overlap, so their counts add up. */
    private int whollyExcludedSlots(ClusterRange range) {
        long count = 0;
        for (Cidr exclusion : exclusions) {
            if (exclusion.prefixLength() > range.hostPrefix() || !range.subnet().cidr().contains(exclusion)) {
                continue;
            }
            int first = range.slotOf(exclusion.network());
            if (first >= 0) {
                int span = range.hostPrefix() - exclusion.prefixLength();
                long covered = span >= 31 ? Long.MAX_VALUE : 1L << span;
                count += Math.min(covered, range.slots() - (long) first);
            }
        }
        return (int) count;
    }

    private static void set(long[] bits, int offset) {
        bits[offset >>> 6] |= 1L << offset;
    }
}
