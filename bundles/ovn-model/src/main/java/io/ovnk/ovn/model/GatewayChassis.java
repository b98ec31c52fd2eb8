package io.ovnk.ovn.model;

import static io.ovnk.ovsdb.ColumnExpectation.map;
import static io.ovnk.ovsdb.ColumnExpectation.scalar;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableModel;
import java.util.Map;
import java.util.UUID;

/**
 * Where a distributed router port is bound: a chassis and a priority.
 * A view of a cached {@code OVN_Northbound.Gateway_Chassis} row: accessors read the row, nothing is copied.
 */
public record GatewayChassis(Row row) {

    public static final TableModel<GatewayChassis> MODEL = TableModel.of(Databases.NORTHBOUND, "Gateway_Chassis", GatewayChassis::new,
            scalar("name", AtomicType.STRING),
            scalar("chassis_name", AtomicType.STRING),
            scalar("priority", AtomicType.INTEGER),
            map("options", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String name() {
        return row.string("name");
    }

    public String chassisName() {
        return row.string("chassis_name");
    }

    public long priority() {
        return row.integer("priority");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
