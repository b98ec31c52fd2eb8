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
 * A load balancer: a Service's VIPs and their backends.
 * A view of a cached {@code OVN_Northbound.Load_Balancer} row: accessors read the row, nothing is copied.
 */
public record LoadBalancer(Row row) {

    public static final TableModel<LoadBalancer> MODEL = TableModel.of(Databases.NORTHBOUND, "Load_Balancer", LoadBalancer::new,
            scalar("name", AtomicType.STRING),
            map("vips", AtomicType.STRING, AtomicType.STRING),
            optional("protocol", AtomicType.STRING),
            set("selection_fields", AtomicType.STRING),
            map("options", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String name() {
        return row.string("name");
    }

    public Map<String, String> vips() {
        return row.map("vips");
    }

    public Optional<String> protocol() {
        return row.optional("protocol");
    }

    public Set<String> selectionFields() {
        return row.set("selection_fields");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
