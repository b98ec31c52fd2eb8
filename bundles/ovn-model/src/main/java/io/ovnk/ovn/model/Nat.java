package io.ovnk.ovn.model;

import static io.ovnk.ovsdb.ColumnExpectation.map;
import static io.ovnk.ovsdb.ColumnExpectation.optional;
import static io.ovnk.ovsdb.ColumnExpectation.scalar;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableModel;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A NAT rule of a gateway router (SNAT of the cluster subnet, DNAT).
 * A view of a cached {@code OVN_Northbound.NAT} row: accessors read the row, nothing is copied.
 */
public record Nat(Row row) {

    public static final TableModel<Nat> MODEL = TableModel.of(Databases.NORTHBOUND, "NAT", Nat::new,
            scalar("type", AtomicType.STRING),
            scalar("external_ip", AtomicType.STRING),
            scalar("logical_ip", AtomicType.STRING),
            optional("logical_port", AtomicType.STRING),
            optional("external_mac", AtomicType.STRING),
            map("options", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String type() {
        return row.string("type");
    }

    public String externalIp() {
        return row.string("external_ip");
    }

    public String logicalIp() {
        return row.string("logical_ip");
    }

    public Optional<String> logicalPort() {
        return row.optional("logical_port");
    }

    public Optional<String> externalMac() {
        return row.optional("external_mac");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
