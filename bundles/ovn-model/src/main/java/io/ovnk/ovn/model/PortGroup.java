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
 * A named group of ports with its ACLs.
 * A view of a cached {@code OVN_Northbound.Port_Group} row: accessors read the row, nothing is copied.
 */
public record PortGroup(Row row) {

    public static final TableModel<PortGroup> MODEL = TableModel.of(Databases.NORTHBOUND, "Port_Group", PortGroup::new,
            scalar("name", AtomicType.STRING),
            set("ports", AtomicType.UUID),
            set("acls", AtomicType.UUID),
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

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
