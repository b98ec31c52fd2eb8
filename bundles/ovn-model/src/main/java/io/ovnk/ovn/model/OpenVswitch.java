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
 * The Open_vSwitch database's single global row: external_ids such as system-id and ovn-remote.
 * A view of a cached {@code Open_vSwitch.Open_vSwitch} row: accessors read the row, nothing is copied.
 */
public record OpenVswitch(Row row) {

    public static final TableModel<OpenVswitch> MODEL = TableModel.of(Databases.OPEN_VSWITCH, "Open_vSwitch", OpenVswitch::new,
            set("bridges", AtomicType.UUID),
            map("external_ids", AtomicType.STRING, AtomicType.STRING),
            map("other_config", AtomicType.STRING, AtomicType.STRING),
            optional("ovs_version", AtomicType.STRING),
            scalar("cur_cfg", AtomicType.INTEGER),
            scalar("next_cfg", AtomicType.INTEGER));

    public UUID uuid() {
        return row.uuid();
    }

    public Set<UUID> bridges() {
        return row.set("bridges");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }

    public Map<String, String> otherConfig() {
        return row.map("other_config");
    }

    public Optional<String> ovsVersion() {
        return row.optional("ovs_version");
    }

    public long curCfg() {
        return row.integer("cur_cfg");
    }

    public long nextCfg() {
        return row.integer("next_cfg");
    }
}
