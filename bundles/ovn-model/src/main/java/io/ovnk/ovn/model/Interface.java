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
 * An OVS interface; a pod's has external_ids:iface-id, and ovn-installed once ovn-controller set it up.
 * A view of a cached {@code Open_vSwitch.Interface} row: accessors read the row, nothing is copied.
 */
public record Interface(Row row) {

    public static final TableModel<Interface> MODEL = TableModel.of(Databases.OPEN_VSWITCH, "Interface", Interface::new,
            scalar("name", AtomicType.STRING),
            scalar("type", AtomicType.STRING),
            optional("ofport", AtomicType.INTEGER),
            optional("mac_in_use", AtomicType.STRING),
            optional("mtu", AtomicType.INTEGER),
            optional("mtu_request", AtomicType.INTEGER),
            optional("error", AtomicType.STRING),
            optional("admin_state", AtomicType.STRING),
            optional("link_state", AtomicType.STRING),
            map("options", AtomicType.STRING, AtomicType.STRING),
            map("external_ids", AtomicType.STRING, AtomicType.STRING),
            map("other_config", AtomicType.STRING, AtomicType.STRING));

    public UUID uuid() {
        return row.uuid();
    }

    public String name() {
        return row.string("name");
    }

    public String type() {
        return row.string("type");
    }

    public Optional<Long> ofport() {
        return row.optional("ofport");
    }

    public Optional<String> macInUse() {
        return row.optional("mac_in_use");
    }

    public Optional<Long> mtu() {
        return row.optional("mtu");
    }

    public Optional<Long> mtuRequest() {
        return row.optional("mtu_request");
    }

    public Optional<String> error() {
        return row.optional("error");
    }

    public Optional<String> adminState() {
        return row.optional("admin_state");
    }

    public Optional<String> linkState() {
        return row.optional("link_state");
    }

    public Map<String, String> options() {
        return row.map("options");
    }

    public Map<String, String> externalIds() {
        return row.map("external_ids");
    }

    public Map<String, String> otherConfig() {
        return row.map("other_config");
    }
}
