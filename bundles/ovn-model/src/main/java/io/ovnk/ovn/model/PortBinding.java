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
 * Where a logical port is bound: the chassis that claimed it and whether it is up.
 * A view of a cached {@code OVN_Southbound.Port_Binding} row: accessors read the row, nothing is copied.
 */
public record PortBinding(Row row) {

    public static final TableModel<PortBinding> MODEL = TableModel.of(Databases.SOUTHBOUND, "Port_Binding", PortBinding::new,
            scalar("logical_port", AtomicType.STRING),
            scalar("type", AtomicType.STRING),
            scalar("datapath", AtomicType.UUID),
            scalar("tunnel_key", AtomicType.INTEGER),
            optional("chassis", AtomicType.UUID),
            set("mac", AtomicType.STRING),
            optional("parent_port", AtomicType.STRING),
            optional("tag", AtomicType.INTEGER),
            optional("up", AtomicType.BOOLEAN),
            map("options", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String logicalPort() {
        return row.string("logical_port");
    }

    public String type() {
        return row.string("type");
    }

    public UUID datapath() {
        return row.reference("datapath");
    }

    public long tunnelKey() {
        return row.integer("tunnel_key");
    }

    public Optional<UUID> chassis() {
        return row.optional("chassis");
    }

    public Set<String> mac() {
        return row.set("mac");
    }

    public Optional<String> parentPort() {
        return row.optional("parent_port");
    }

    public Optional<Long> tag() {
        return row.optional("tag");
    }

    public Optional<Boolean> up() {
        return row.optional("up");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
