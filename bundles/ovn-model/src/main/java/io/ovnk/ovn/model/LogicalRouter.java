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
 * A logical router: ovn_cluster_router and the gateway routers.
 * A view of a cached {@code OVN_Northbound.Logical_Router} row: accessors read the row, nothing is copied.
 */
public record LogicalRouter(Row row) {

    public static final TableModel<LogicalRouter> MODEL = TableModel.of(Databases.NORTHBOUND, "Logical_Router", LogicalRouter::new,
            scalar("name", AtomicType.STRING),
            set("ports", AtomicType.UUID),
            set("static_routes", AtomicType.UUID),
            set("policies", AtomicType.UUID),
            set("nat", AtomicType.UUID),
            set("load_balancer", AtomicType.UUID),
            set("load_balancer_group", AtomicType.UUID),
            optional("enabled", AtomicType.BOOLEAN),
            map("options", AtomicType.STRING, AtomicType.STRING),
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

    public Set<UUID> staticRoutes() {
        return row.set("static_routes");
    }

    public Set<UUID> policies() {
        return row.set("policies");
    }

    public Set<UUID> nat() {
        return row.set("nat");
    }

    public Set<UUID> loadBalancer() {
        return row.set("load_balancer");
    }

    public Set<UUID> loadBalancerGroup() {
        return row.set("load_balancer_group");
    }

    public Optional<Boolean> enabled() {
        return row.optional("enabled");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
