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
 * An OVS bridge (br-int, br-ex).
 * A view of a cached {@code Open_vSwitch.Bridge} row: accessors read the row, nothing is copied.
 */
public record Bridge(Row row) {

    public static final TableModel<Bridge> MODEL = TableModel.of(Databases.OPEN_VSWITCH, "Bridge", Bridge::new,
            scalar("name", AtomicType.STRING),
            set("ports", AtomicType.UUID),
            scalar("datapath_type", AtomicType.STRING),
            optional("fail_mode", AtomicType.STRING),
            set("protocols", AtomicType.STRING),
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

    public String datapathType() {
        return row.string("datapath_type");
    }

    public Optional<String> failMode() {
        return row.optional("fail_mode");
    }

    public Set<String> protocols() {
        return row.set("protocols");
    }

    public Map<String, String> otherConfig() {
        return row.map("other_config");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
