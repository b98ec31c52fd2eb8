package io.ovnk.ovn.model;

import static io.ovnk.ovsdb.ColumnExpectation.scalar;
import static io.ovnk.ovsdb.ColumnExpectation.set;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableModel;
import java.util.Set;
import java.util.UUID;

/**
 * A group of load balancers shared by switches and routers.
 * A view of a cached {@code OVN_Northbound.Load_Balancer_Group} row: accessors read the row, nothing is copied.
 */
public record LoadBalancerGroup(Row row) {

    public static final TableModel<LoadBalancerGroup> MODEL = TableModel.of(Databases.NORTHBOUND, "Load_Balancer_Group", LoadBalancerGroup::new,
            scalar("name", AtomicType.STRING),
            set("load_balancer", AtomicType.UUID));

    public UUID uuid() {
        return row.uuid();
    }

    public String name() {
        return row.string("name");
    }

    public Set<UUID> loadBalancer() {
        return row.set("load_balancer");
    }
}
