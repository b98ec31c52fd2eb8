package io.ovnk.ovn.model;

import static io.ovnk.ovsdb.ColumnExpectation.map;
import static io.ovnk.ovsdb.ColumnExpectation.scalar;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableModel;
import java.util.Map;
import java.util.UUID;

/**
 * The Northbound database's single global row: config sequence numbers and options.
 * A view of a cached {@code OVN_Northbound.NB_Global} row: accessors read the row, nothing is copied.
 */
public record NbGlobal(Row row) {

    public static final TableModel<NbGlobal> MODEL = TableModel.of(Databases.NORTHBOUND, "NB_Global", NbGlobal::new,
            scalar("name", AtomicType.STRING),
            scalar("nb_cfg", AtomicType.INTEGER),
            scalar("sb_cfg", AtomicType.INTEGER),
            scalar("hv_cfg", AtomicType.INTEGER),
            map("options", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String name() {
        return row.string("name");
    }

    public long nbCfg() {
        return row.integer("nb_cfg");
    }

    public long sbCfg() {
        return row.integer("sb_cfg");
    }

    public long hvCfg() {
        return row.integer("hv_cfg");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
