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
 * A static route of a logical router.
 * A view of a cached {@code OVN_Northbound.Logical_Router_Static_Route} row: accessors read the row, nothing is copied.
 */
public record LogicalRouterStaticRoute(Row row) {

    public static final TableModel<LogicalRouterStaticRoute> MODEL = TableModel.of(Databases.NORTHBOUND, "Logical_Router_Static_Route", LogicalRouterStaticRoute::new,
            scalar("ip_prefix", AtomicType.STRING),
            scalar("nexthop", AtomicType.STRING),
            optional("policy", AtomicType.STRING),
            optional("output_port", AtomicType.STRING),
            scalar("route_table", AtomicType.STRING),
            map("options", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String ipPrefix() {
        return row.string("ip_prefix");
    }

    public String nexthop() {
        return row.string("nexthop");
    }

    public Optional<String> policy() {
        return row.optional("policy");
    }

    public Optional<String> outputPort() {
        return row.optional("output_port");
    }

    public String routeTable() {
        return row.string("route_table");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
