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
 * A port of a logical switch: a pod, a management port, a router port's peer.
 * A view of a cached {@code OVN_Northbound.Logical_Switch_Port} row: accessors read the row, nothing is copied.
 */
public record LogicalSwitchPort(Row row) {

    public static final TableModel<LogicalSwitchPort> MODEL = TableModel.of(Databases.NORTHBOUND, "Logical_Switch_Port", LogicalSwitchPort::new,
            scalar("name", AtomicType.STRING),
            scalar("type", AtomicType.STRING),
            set("addresses", AtomicType.STRING),
            set("port_security", AtomicType.STRING),
            optional("dynamic_addresses", AtomicType.STRING),
            map("options", AtomicType.STRING, AtomicType.STRING),
            optional("parent_name", AtomicType.STRING),
            optional("tag_request", AtomicType.INTEGER),
            optional("tag", AtomicType.INTEGER),
            optional("up", AtomicType.BOOLEAN),
            optional("enabled", AtomicType.BOOLEAN),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String name() {
        return row.string("name");
    }

    public String type() {
        return row.string("type");
    }

    public Set<String> addresses() {
        return row.set("addresses");
    }

    public Set<String> portSecurity() {
        return row.set("port_security");
    }

    public Optional<String> dynamicAddresses() {
        return row.optional("dynamic_addresses");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Optional<String> parentName() {
        return row.optional("parent_name");
    }

    public Optional<Long> tagRequest() {
        return row.optional("tag_request");
    }

    public Optional<Long> tag() {
        return row.optional("tag");
    }

    public Optional<Boolean> up() {
        return row.optional("up");
    }

    public Optional<Boolean> enabled() {
        return row.optional("enabled");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
