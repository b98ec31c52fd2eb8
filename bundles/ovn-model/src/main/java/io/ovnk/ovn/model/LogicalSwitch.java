package io.ovnk.ovn.model;

import static io.ovnk.ovsdb.ColumnExpectation.map;
import static io.ovnk.ovsdb.ColumnExpectation.scalar;
import static io.ovnk.ovsdb.ColumnExpectation.set;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableModel;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A logical switch: one per node in overlay mode, plus join and the external switches.
 * A view of a cached {@code OVN_Northbound.Logical_Switch} row: accessors read the row, nothing is copied.
 */
public record LogicalSwitch(Row row) {

    public static final TableModel<LogicalSwitch> MODEL = TableModel.of(Databases.NORTHBOUND, "Logical_Switch", LogicalSwitch::new,
            scalar("name", AtomicType.STRING),
            set("ports", AtomicType.UUID),
            set("acls", AtomicType.UUID),
            set("load_balancer", AtomicType.UUID),
            set("load_balancer_group", AtomicType.UUID),
            map("other_config", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String name() {
        return row.string("name");
    }

    public Set<UUID> ports() {
        return row.set("ports");
    }

    public Set<UUID> acls() {
        return row.set("acls");
    }

    public Set<UUID> loadBalancer() {
        return row.set("load_balancer");
    }

    public Set<UUID> loadBalancerGroup() {
        return row.set("load_balancer_group");
    }

    public Map<String, String> otherConfig() {
        return row.map("other_config");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
