package io.ovnk.ipam.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Node name to its pool of one family: an immutable open-addressing table (linear probing, keys read from the
 * pools themselves), replaced as a whole when a node comes or goes. Readers on the pod path never lock; a
 * table costs a few bytes per node, where a map would cost an entry object each.
 */
final class NodeIndex {

    static final NodeIndex EMPTY = new NodeIndex(new AddressPool[8], 0);

    private final AddressPool[] table;
    private final int size;

    private NodeIndex(AddressPool[] table, int size) {
        this.table = table;
        this.size = size;
    }

    static NodeIndex of(Collection<AddressPool> pools) {
        // a power of two at most 3/4 full
        int capacity = Integer.highestOneBit(Math.max(8, pools.size() * 4 / 3 + 1) - 1) << 1;
        AddressPool[] table = new AddressPool[capacity];
        for (AddressPool pool : pools) {
            int index = pool.node().hashCode() & (capacity - 1);
            while (table[index] != null) {
                if (table[index].node().equals(pool.node())) {
                    throw new IllegalArgumentException("node " + pool.node() + " has two pools of one family");
                }
                index = (index + 1) & (capacity - 1);
            }
            table[index] = pool;
        }
        return new NodeIndex(table, pools.size());
    }

    AddressPool get(String node) {
        AddressPool[] table = this.table;
        int mask = table.length - 1;
        for (int index = node.hashCode() & mask; ; index = (index + 1) & mask) {
            AddressPool pool = table[index];
            if (pool == null) {
                return null;
            }
            String key = pool.node();
            if (key == node || key.equals(node)) {
                return pool;
            }
        }
    }

    int size() {
        return size;
    }

    List<AddressPool> pools() {
        List<AddressPool> pools = new ArrayList<>(size);
        for (AddressPool pool : table) {
            if (pool != null) {
                pools.add(pool);
            }
        }
        return pools;
    }

    NodeIndex with(AddressPool pool) {
        if (get(pool.node()) != null || (size + 1) * 4 > table.length * 3) {
            List<AddressPool> pools = pools();
            pools.removeIf(existing -> existing.node().equals(pool.node()));
            pools.add(pool);
            return of(pools);
        }
        AddressPool[] copy = table.clone(); // a copy of references: cheap, and readers keep the old table
        int mask = copy.length - 1;
        int index = pool.node().hashCode() & mask;
        while (copy[index] != null) {
            index = (index + 1) & mask;
        }
        copy[index] = pool;
        return new NodeIndex(copy, size + 1);
    }

    NodeIndex without(String node) {
        List<AddressPool> pools = pools();
        pools.removeIf(existing -> existing.node().equals(node));
        return of(pools);
    }
}
