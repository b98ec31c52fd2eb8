package io.ovnk.ovn.model;

import static io.ovnk.ovsdb.ColumnExpectation.map;
import static io.ovnk.ovsdb.ColumnExpectation.optional;
import static io.ovnk.ovsdb.ColumnExpectation.scalar;
import static io.ovnk.ovsdb.ColumnExpectation.set;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableModel;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A port of a logical router, with its MAC and networks.
 * A view of a cached {@code OVN_Northbound.Logical_Router_Port} row: accessors read the row, nothing is copied.
 */
public record LogicalRouterPort(Row row) {

    public static final TableModel<LogicalRouterPort> MODEL = TableModel.of(Databases.NORTHBOUND, "Logical_Router_Port", LogicalRouterPort::new,
            scalar("name", AtomicType.STRING),
            scalar("mac", AtomicType.STRING),
            set("networks", AtomicType.STRING),
            optional("peer", AtomicType.STRING),
            set("gateway_chassis", AtomicType.UUID),
            optional("enabled", AtomicType.BOOLEAN),
            map("options", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String name() {
        return row.string("name");
    }

    public String mac() {
        return row.string("mac");
    }

    public Set<String> networks() {
        return row.set("networks");
    }

    public Optional<String> peer() {
        return row.optional("peer");
    }

    public Set<UUID> gatewayChassis() {
        return row.set("gateway_chassis");
    }

    public Optional<Boolean> enabled() {
        return row.optional("enabled");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
