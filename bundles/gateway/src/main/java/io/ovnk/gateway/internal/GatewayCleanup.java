package io.ovnk.gateway.internal;

import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes every Northbound row the gateway owns ({@code external_ids:k8s.ovn.org/owner-controller=ovnk-gateway},
 * plus its load balancer group, which has no external_ids and is known by name) and every reference other rows
 * hold to them, in one transaction; nothing else.
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
        selects.add(Northbound.named(GatewayNames.LB_GROUP, GatewayNames.NODEPORT_LB_GROUP));
        List<Row> rows = nb.select(selects).stream().flatMap(List::stream).toList();
        if (rows.isEmpty()) {
            return List.of();
        }
        nb.commit(Removal.operations(nb, rows));
        return rows.stream().map(Removal::describe).sorted().toList();
    }
}
