package io.ovnk.ovn.model;

import static io.ovnk.ovsdb.ColumnExpectation.map;
import static io.ovnk.ovsdb.ColumnExpectation.scalar;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableModel;
import java.util.Map;
import java.util.UUID;

/**
 * The Southbound database's single global row.
 * A view of a cached {@code OVN_Southbound.SB_Global} row: accessors read the row, nothing is copied.
 */
public record SbGlobal(Row row) {

    public static final TableModel<SbGlobal> MODEL = TableModel.of(Databases.SOUTHBOUND, "SB_Global", SbGlobal::new,
            scalar("nb_cfg", AtomicType.INTEGER),
            map("options", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public long nbCfg() {
        return row.integer("nb_cfg");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
