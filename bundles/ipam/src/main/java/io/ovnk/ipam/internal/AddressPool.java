package io.ovnk.ipam.internal;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;

/**
 * The addresses of one node subnet: one bit each (set = allocated or reserved), handed out next-fit so an
 * address just released is the last to come back. Its own monitor is the only lock on the pod path, so nodes
 * never wait for each other. Kept to a few fields on purpose: a cluster holds thousands of these.
 */
final class AddressPool {

    private static final int RETIRED = -1;

    private final String node;
    private final long[] bits;
    /** Where the subnet lies; moved (same subnet, new range object) only by a live reconfiguration. */
    private ClusterRange range;
    private int slot;
    /** Where the next search starts; RETIRED once the node's subnet was released. */
    private int cursor;

    AddressPool(String node, ClusterRange range, int slot, long[] reservedBits) {
        this.node = node;
        this.range = range;
        this.slot = slot;
        this.bits = reservedBits;
        this.cursor = 0;
    }

    String node() {
        return node;
    }

    synchronized Cidr subnet() {
        return range.nodeSubnet(slot);
    }

    synchronized ClusterRange range() {
        return range;
    }

    synchronized int slot() {
        return slot;
    }

    synchronized boolean retired() {
        return cursor == RETIRED;
    }

    /** Marks the pool dead: a concurrent allocation that still found it fails instead of handing out an address. */
    synchronized void retire() {
        cursor = RETIRED;
    }

    /**
     * The next free address after the last one handed out, with the node subnet's prefix length, or null when
     * the pool is full or retired.
     */
    synchronized Cidr allocate() {
        if (cursor == RETIRED) {
            return null;
        }
        int size = range.poolSize();
        int offset = nextClear(cursor, size);
        if (offset < 0) {
            offset = nextClear(0, cursor);
            if (offset < 0) {
                return null;
            }
        }
        bits[offset >>> 6] |= 1L << offset;
        cursor = offset + 1 == size ? 0 : offset + 1;
        return new Cidr(range.address(slot, offset), range.hostPrefix());
    }

    /** Takes one given offset; false when it is already set (allocated or reserved) or the pool is retired. */
    synchronized boolean take(int offset) {
        long mask = 1L << offset;
        if (cursor == RETIRED || (bits[offset >>> 6] & mask) != 0) {
            return false;
        }
        bits[offset >>> 6] |= mask;
        return true;
    }

    /** Takes an offset during recovery and moves the cursor past it, so the next allocation follows the newest. */
    synchronized boolean recover(int offset) {
        if (!take(offset)) {
            return false;
        }
        if (offset >= cursor) {
            cursor = offset + 1 == range.poolSize() ? 0 : offset + 1;
        }
        return true;
    }

    /** Clears one offset; false when it was not set. Callers make sure it is not a reserved one. */
    synchronized boolean release(int offset) {
        long mask = 1L << offset;
        if ((bits[offset >>> 6] & mask) == 0) {
            return false;
        }
        bits[offset >>> 6] &= ~mask;
        return true;
    }

    /** A copy of the bits, for usage reports and reconfiguration checks. */
    synchronized long[] snapshot() {
        return bits.clone();
    }

    /** Releases an address of this subnet given as an address; false when it was not set or lies beyond the pool. */
    synchronized boolean release(IpAddress address) {
        int offset = range.offsetOf(address);
        return offset >= 0 && release(offset);
    }

    /**
     * Sets the given bits (reservations of a new configuration) if none of them is set yet; false, changing
     * nothing, when one is (it was handed out).
     */
    synchronized boolean reserve(long[] added) {
        for (int i = 0; i < bits.length; i++) {
            if ((bits[i] & added[i]) != 0) {
                return false;
            }
        }
        for (int i = 0; i < bits.length; i++) {
            bits[i] |= added[i];
        }
        return true;
    }

    /** Clears bits that {@link #reserve} set, undoing it. */
    synchronized void unreserve(long[] added) {
        for (int i = 0; i < bits.length; i++) {
            bits[i] &= ~added[i];
        }
    }

    /** Moves the pool to the range object of a new configuration (same subnet) and frees dropped reservations. */
    synchronized void relocate(ClusterRange newRange, int newSlot, long[] dropped) {
        for (int i = 0; i < bits.length; i++) {
            bits[i] &= ~dropped[i];
        }
        range = newRange;
        slot = newSlot;
    }

    private int nextClear(int from, int to) {
        for (int word = from >>> 6; word <= (to - 1) >>> 6 && from < to; word++) {
            long free = ~bits[word];
            if (word == from >>> 6) {
                free &= -1L << from; // bits below the start were searched already
            }
            if (free != 0) {
                int offset = (word << 6) + Long.numberOfTrailingZeros(free);
                return offset < to ? offset : -1;
            }
        }
        return -1;
    }
}
