package io.ovnk.ovn.model;

import static io.ovnk.ovsdb.ColumnExpectation.map;
import static io.ovnk.ovsdb.ColumnExpectation.scalar;
import static io.ovnk.ovsdb.ColumnExpectation.set;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableModel;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A named set of addresses for ACL matches.
 * A view of a cached {@code OVN_Northbound.Address_Set} row: accessors read the row, nothing is copied.
 */
public record AddressSet(Row row) {

    public static final TableModel<AddressSet> MODEL = TableModel.of(Databases.NORTHBOUND, "Address_Set", AddressSet::new,
            scalar("name", AtomicType.STRING),
            set("addresses", AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String name() {
        return row.string("name");
    }

    public Set<String> addresses() {
        return row.set("addresses");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }
}
