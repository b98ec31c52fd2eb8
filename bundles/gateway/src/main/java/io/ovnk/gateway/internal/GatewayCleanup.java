package io.ovnk.gateway.internal;

import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes every Northbound row the gateway owns ({@code external_ids:k8s.ovn.org/owner-controller=ovnk-gateway},
 * plus the load balancer group of the former NodePort template layout, which has no external_ids and is known by
 * name) and every reference other rows hold to them, in one transaction; nothing else. {@link #templates()}
 * removes only what the template layout left: its per-Service load balancers, group and template variables.
 */
final class GatewayCleanup {

    private final Northbound nb;

    GatewayCleanup(Northbound nb) {
        this.nb = nb;
    }

    /** The rows removed, one line each. */
    List<String> run() {
        List<Operation> selects = new ArrayList<>();
        for (TableSchema table : nb.client().schema().tables().values()) {
            if (table.column("external_ids").isPresent()) {
                selects.add(Northbound.select(table.name(), GatewayNames.ours()));
            }
        }
        selects.add(Northbound.named(GatewayNames.LB_GROUP, GatewayNames.LEGACY_LB_GROUP));
        return remove(nb.select(selects).stream().flatMap(List::stream).toList());
    }

    /**
     * The rows of the NodePort template layout that an earlier version of the gateway wrote (load balancers owned
     * by a Service, the group, Chassis_Template_Var rows), removed; the rows removed, one line each.
     */
    List<String> templates() {
        List<Row> rows = nb.select(List.of(
                Northbound.select(GatewayNames.LOAD_BALANCER, GatewayNames.ours()),
                Northbound.named(GatewayNames.LB_GROUP, GatewayNames.LEGACY_LB_GROUP),
                Northbound.select(GatewayNames.TEMPLATE_VAR, GatewayNames.ours())))
                .stream().flatMap(List::stream)
                .filter(row -> !row.table().name().equals(GatewayNames.LOAD_BALANCER)
                        || !GatewayNames.TYPE_NODE.equals(row.map("external_ids").get(GatewayNames.OWNER_TYPE)))
                .toList();
        return remove(rows);
    }

    private List<String> remove(List<Row> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        nb.commit(Removal.operations(nb, rows));
        return rows.stream().map(Removal::describe).sorted().toList();
    }
}
