package io.ovnk.gateway.internal;

import io.ovnk.ovsdb.ColumnSchema;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.DatabaseSchema;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Removing rows whatever refers to them, from the schema: every set column of any table that can refer to a
 * removed row is looked up (one {@code select ... includes} per row and column, all in one transaction), and
 * every referring row that is not itself removed gets a {@code mutate ... delete} of the reference; then the
 * rows of root tables are deleted. Rows of non-root tables go when nothing refers to them any more.
 */
final class Removal {

    /** What refers to what: a column and the rows of it to take a reference out of. */
    record Reference(String table, UUID row, String column, UUID target) {
    }

    private Removal() {
    }

    static List<Operation> operations(Northbound nb, Collection<Row> rows) {
        DatabaseSchema schema = nb.client().schema();
        Set<UUID> removed = rows.stream().map(Row::uuid).collect(Collectors.toSet());
        List<Operation> selects = new ArrayList<>();
        List<String[]> asked = new ArrayList<>(); // table, column, target uuid
        for (Row row : rows) {
            for (TableSchema table : schema.tables().values()) {
                for (ColumnSchema column : table.columns()) {
                    if (column.type().isMap() || !row.table().name().equals(column.type().key().refTable())) {
                        continue;
                    }
                    selects.add(Operation.select(table.name()).where(Condition.includes(column.name(), Set.of(row.uuid())))
                            .columns("_uuid"));
                    asked.add(new String[] { table.name(), column.name(), row.uuid().toString() });
                }
            }
        }
        Map<String, Reference> references = new LinkedHashMap<>();
        List<List<Row>> found = selects.isEmpty() ? List.of() : nb.select(selects);
        for (int i = 0; i < found.size(); i++) {
            for (Row referrer : found.get(i)) {
                if (!removed.contains(referrer.uuid())) {
                    String[] what = asked.get(i);
                    references.put(what[0] + referrer.uuid() + what[1] + what[2], new Reference(what[0], referrer.uuid(),
                            what[1], UUID.fromString(what[2])));
                }
            }
        }
        List<Operation> operations = new ArrayList<>();
        for (Reference reference : references.values()) {
            operations.add(Operation.mutate(reference.table()).where(Condition.uuid(reference.row()))
                    .mutation(Mutation.delete(reference.column(), Set.of(reference.target()))));
        }
        for (Row row : rows) {
            if (row.table().isRoot()) {
                operations.add(Operation.delete(row.table().name()).where(Condition.uuid(row.uuid())));
            }
        }
        return operations;
    }

    /** A line per removed row, for the operator: table, name (or chassis, or prefix) and owner. */
    static String describe(Row row) {
        String table = row.table().name();
        String what = row.table().column("name").isPresent() ? row.string("name")
                : row.table().column("chassis").isPresent() ? "chassis " + row.string("chassis")
                : row.table().column("ip_prefix").isPresent() ? row.string("ip_prefix") + " via " + row.string("nexthop")
                : row.table().column("logical_port").isPresent() && row.table().column("mac").isPresent()
                        ? row.string("logical_port") + " " + row.string("ip") + " is " + row.string("mac")
                : row.table().column("logical_ip").isPresent() ? row.get("type") + " " + row.string("logical_ip") + " -> "
                        + row.string("external_ip")
                : row.uuid().toString();
        String owner = row.table().column("external_ids").isPresent() ? " (" + GatewayNames.owner(row) + ")" : "";
        return table + " " + what + owner;
    }
}
