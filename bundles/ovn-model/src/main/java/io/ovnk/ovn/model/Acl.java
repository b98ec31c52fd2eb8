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
 * An access control entry (network policy).
 * A view of a cached {@code OVN_Northbound.ACL} row: accessors read the row, nothing is copied.
 */
public record Acl(Row row) {

    public static final TableModel<Acl> MODEL = TableModel.of(Databases.NORTHBOUND, "ACL", Acl::new,
            optional("name", AtomicType.STRING),
            scalar("priority", AtomicType.INTEGER),
            scalar("direction", AtomicType.STRING),
            scalar("match", AtomicType.STRING),
            scalar("action", AtomicType.STRING),
            scalar("log", AtomicType.BOOLEAN),
            optional("severity", AtomicType.STRING),
            map("options", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public Optional<String> name() {
        return row.optional("name");
    }

    public long priority() {
        return row.integer("priority");
    }

    public String direction() {
        return row.string("direction");
    }

    public String match() {
        return row.string("match");
    }

    public String action() {
        return row.string("action");
    }

    public boolean log() {
        return row.bool("log");
    }

    public Optional<String> severity() {
        return row.optional("severity");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
