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
 * A hypervisor registered by its ovn-controller.
 * A view of a cached {@code OVN_Southbound.Chassis} row: accessors read the row, nothing is copied.
 */
public record Chassis(Row row) {

    public static final TableModel<Chassis> MODEL = TableModel.of(Databases.SOUTHBOUND, "Chassis", Chassis::new,
            scalar("name", AtomicType.STRING),
            scalar("hostname", AtomicType.STRING),
            set("encaps", AtomicType.UUID),
            scalar("nb_cfg", AtomicType.INTEGER),
            map("other_config", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String name() {
        return row.string("name");
    }

    public String hostname() {
        return row.string("hostname");
    }

    public Set<UUID> encaps() {
        return row.set("encaps");
    }

    public long nbCfg() {
        return row.integer("nb_cfg");
    }

    public Map<String, String> otherConfig() {
        return row.map("other_config");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
