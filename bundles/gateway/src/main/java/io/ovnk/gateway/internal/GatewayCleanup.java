package io.ovnk.gateway.internal;

import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Removes every Northbound row the gateway owns ({@code external_ids:k8s.ovn.org/owner-controller=ovnk-gateway},
 * plus the load balancer group of the former NodePort template layout, which has no external_ids and is known by
 * name, and the static MAC bindings on the gateway's router ports) and every reference other rows hold to them, in one transaction; nothing else. {@link #templates()}
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
        selects.add(Northbound.select(GatewayNames.STATIC_MAC_BINDING));
        List<List<Row>> found = nb.select(selects);
        List<Row> rows = new ArrayList<>(found.subList(0, found.size() - 1).stream().flatMap(List::stream).toList());
        // static MAC bindings have no external_ids: the gateway's are those on its router ports
        Set<String> routerPorts = rows.stream().filter(row -> row.table().name().equals(GatewayNames.ROUTER_PORT))
                .map(row -> row.string("name")).collect(Collectors.toSet());
        found.get(found.size() - 1).stream().filter(row -> routerPorts.contains(row.string("logical_port")))
                .forEach(rows::add);
        return remove(rows);
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
