package io.ovnk.ovn.model;

import static io.ovnk.ovsdb.ColumnExpectation.map;
import static io.ovnk.ovsdb.ColumnExpectation.scalar;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableModel;
import java.util.Map;
import java.util.UUID;

/**
 * A chassis's tunnel endpoint (type geneve, its IP).
 * A view of a cached {@code OVN_Southbound.Encap} row: accessors read the row, nothing is copied.
 */
public record Encap(Row row) {

    public static final TableModel<Encap> MODEL = TableModel.of(Databases.SOUTHBOUND, "Encap", Encap::new,
            scalar("type", AtomicType.STRING),
            scalar("ip", AtomicType.STRING),
            scalar("chassis_name", AtomicType.STRING),
            map("options", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String type() {
        return row.string("type");
    }

    public String ip() {
        return row.string("ip");
    }

    public String chassisName() {
        return row.string("chassis_name");
    }

    public Map<String, String> options() {
        return row.map("options");
    }
}
