package io.ovnk.underlay.internal;

import io.ovnk.ovsdb.Cache;
import io.ovnk.ovsdb.CachedTable;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.Row;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Northbound's logical switch ports as the underlay binder reads them: from the client's cache (the master
 * monitors {@code Logical_Switch_Port} for its own writes; a table is in one monitor only, so the binder reads
 * that one and never blocks). A child port's tag is its {@code tag_request} (what the master asked for), else its
 * {@code tag} (what ovn-northd assigned).
 */
final class ChildPorts {

    static final String TABLE = "Logical_Switch_Port";

    private final OvsdbClient northbound;

    ChildPorts(OvsdbClient northbound) {
        this.northbound = northbound;
    }

    /** What is wrong with {@code name} as a parent port, or empty when it is a port that can have children. */
    Optional<String> parentProblem(String name) {
        return read(cache -> {
            Optional<Row> port = table(cache).lookup("name", name);
            if (port.isEmpty()) {
                return Optional.of("is not a Logical_Switch_Port in the Northbound");
            }
            Optional<String> grandParent = port.get().optional("parent_name");
            if (grandParent.isPresent()) {
                return Optional.of("is itself a child port (parent_name " + grandParent.get()
                        + "); a VM port has no parent");
            }
            return Optional.empty();
        });
    }

    /** The ports whose parent is {@code parent}, with their tags (ports without a tag yet are left out). */
    Map<String, Integer> children(String parent) {
        return read(cache -> {
            Map<String, Integer> children = new HashMap<>();
            for (Row row : table(cache).find(row -> row.optional("parent_name").filter(parent::equals).isPresent())) {
                tagOf(row).ifPresent(tag -> children.put(row.string("name"), tag));
            }
            return children;
        });
    }

    static Optional<Integer> tagOf(Row row) {
        Optional<Long> requested = row.<Long>optional("tag_request").filter(tag -> tag > 0);
        Optional<Long> tag = requested.isPresent() ? requested : row.<Long>optional("tag").filter(t -> t > 0);
        return tag.map(Long::intValue);
    }

    private <T> T read(java.util.function.Function<Cache, T> reader) {
        if (northbound.state() == OvsdbClient.State.CLOSED) {
            throw new IllegalStateException("the Northbound client is closed");
        }
        return northbound.cache().read(reader);
    }

    private static CachedTable table(Cache cache) {
        if (!cache.tables().contains(TABLE)) {
            throw new IllegalStateException("the Northbound's " + TABLE
                    + " table is not in the cache yet (the master monitors it when its term begins)");
        }
        return cache.table(TABLE);
    }
}
