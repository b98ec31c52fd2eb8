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
 * An OVS port of a bridge.
 * A view of a cached {@code Open_vSwitch.Port} row: accessors read the row, nothing is copied.
 */
public record Port(Row row) {

    public static final TableModel<Port> MODEL = TableModel.of(Databases.OPEN_VSWITCH, "Port", Port::new,
            scalar("name", AtomicType.STRING),
            set("interfaces", AtomicType.UUID),
            optional("tag", AtomicType.INTEGER),
            set("trunks", AtomicType.INTEGER),
            map("other_config", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String name() {
        return row.string("name");
    }

    public Set<UUID> interfaces() {
        return row.set("interfaces");
    }

    public Optional<Long> tag() {
        return row.optional("tag");
    }

    public Set<Long> trunks() {
        return row.set("trunks");
    }

    public Map<String, String> otherConfig() {
        return row.map("other_config");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
