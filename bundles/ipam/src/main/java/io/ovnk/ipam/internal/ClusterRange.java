package io.ovnk.ipam.internal;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.ClusterSubnet;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpAddress;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One cluster subnet cut into numbered node subnets ("slots"): slot {@code n} is the n-th /hostPrefix of the
 * range. Holds the {@link AddressPool} of every allocated slot in chunks that exist only where slots are used,
 * so a large range costs nothing until it fills. Reads are lock-free (acquire); slots are placed and cleared
 * only under the allocator's node lock.
 */
final class ClusterRange {

    /** IPv6 node subnets (/64) hand out addresses from their first 65,536, as Kubernetes caps IPv6 ranges. */
    static final int IPV6_POOL_SIZE = 1 << 16;
    /** A range offers at most this many node subnets (16.7 M): far beyond any cluster, and bounded memory. */
    static final int MAX_SLOTS = 1 << 24;

    private static final int CHUNK_BITS = 10;
    private static final int CHUNK_SIZE = 1 << CHUNK_BITS;
    private static final VarHandle POOLS = MethodHandles.arrayElementVarHandle(AddressPool[].class);
    private static final VarHandle CHUNKS = MethodHandles.arrayElementVarHandle(AddressPool[][].class);

    private final ClusterSubnet subnet;
    private final Family family;
    private final long baseHigh;
    private final long baseLow;
    /** Host bits of a node subnet: 32 - hostPrefix for IPv4, 64 for IPv6. */
    private final int nodeHostBits;
    private final int slots;
    private final int poolSize;
    private final AddressPool[][] chunks;

    ClusterRange(ClusterSubnet subnet) {
        this.subnet = subnet;
        this.family = subnet.family();
        IpAddress network = subnet.cidr().network();
        this.baseHigh = network.high();
        this.baseLow = network.low();
        this.nodeHostBits = family.bits() - subnet.hostPrefix();
        int slotBits = subnet.hostPrefix() - subnet.cidr().prefixLength();
        this.slots = slotBits >= 24 ? MAX_SLOTS : 1 << slotBits;
        this.poolSize = family == Family.IPV4 ? 1 << nodeHostBits : IPV6_POOL_SIZE;
        this.chunks = new AddressPool[(slots + CHUNK_SIZE - 1) >>> CHUNK_BITS][];
    }

    ClusterSubnet subnet() {
        return subnet;
    }

    Family family() {
        return family;
    }

    int hostPrefix() {
        return subnet.hostPrefix();
    }

    /** How many node subnets the range offers (at most {@link #MAX_SLOTS}). */
    int slots() {
        return slots;
    }

    /** How many addresses of a node subnet are tracked: all of an IPv4 one, the first 65,536 of an IPv6 one. */
    int poolSize() {
        return poolSize;
    }

    /** The slot holding {@code address}, or -1 when the range (or its used part) does not hold it. */
    int slotOf(IpAddress address) {
        if (address.family() != family) {
            return -1;
        }
        long slot;
        if (family == Family.IPV4) {
            long distance = address.low() - baseLow;
            if (distance < 0) {
                return -1;
            }
            slot = distance >>> nodeHostBits;
        } else {
            if (Long.compareUnsigned(address.high(), baseHigh) < 0) {
                return -1;
            }
            slot = address.high() - baseHigh; // negative when 2^63 or more apart: rejected below
        }
        return slot >= 0 && slot < slots ? (int) slot : -1;
    }

    /** The offset of {@code address} inside its node subnet, or -1 beyond the tracked part (IPv6). */
    int offsetOf(IpAddress address) {
        if (family == Family.IPV4) {
            return (int) ((address.low() - baseLow) & ((1L << nodeHostBits) - 1));
        }
        long low = address.low();
        return low >= 0 && low < poolSize ? (int) low : -1;
    }

    IpAddress address(int slot, int offset) {
        if (family == Family.IPV4) {
            return new IpAddress(Family.IPV4, 0, baseLow + ((long) slot << nodeHostBits) + offset);
        }
        return new IpAddress(Family.IPV6, baseHigh + slot, offset);
    }

    Cidr nodeSubnet(int slot) {
        return new Cidr(address(slot, 0), subnet.hostPrefix());
    }

    /** The slot of {@code nodeSubnet} if it is exactly one of this range's node subnets, else -1. */
    int slotOfSubnet(Cidr nodeSubnet) {
        if (nodeSubnet.prefixLength() != subnet.hostPrefix() || !nodeSubnet.isNetwork()) {
            return -1;
        }
        return slotOf(nodeSubnet.address());
    }

    AddressPool pool(int slot) {
        AddressPool[] chunk = (AddressPool[]) CHUNKS.getAcquire(chunks, slot >>> CHUNK_BITS);
        return chunk == null ? null : (AddressPool) POOLS.getAcquire(chunk, slot & (CHUNK_SIZE - 1));
    }

    /** Places (or with null clears) the pool of a slot; callers hold the allocator's node lock. */
    void place(int slot, AddressPool pool) {
        AddressPool[] chunk = (AddressPool[]) CHUNKS.getAcquire(chunks, slot >>> CHUNK_BITS);
        if (chunk == null) {
            if (pool == null) {
                return;
            }
            chunk = new AddressPool[CHUNK_SIZE];
            CHUNKS.setRelease(chunks, slot >>> CHUNK_BITS, chunk);
        }
        POOLS.setRelease(chunk, slot & (CHUNK_SIZE - 1), pool);
    }

    @Override
    public String toString() {
        return subnet.toString();
    }
}
