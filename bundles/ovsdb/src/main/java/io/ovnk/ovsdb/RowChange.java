package io.ovnk.ovsdb;

import java.util.UUID;

/**
 * A change of one row as a listener sees it: inserted (no old), deleted (no new), or modified. When a listener
 * falls behind, successive changes of a row are merged into one (first old, last new), so nothing is lost and a
 * slow listener costs at most one entry per row.
 */
public record RowChange(String table, UUID uuid, Row old, Row current) {

    public boolean isInsert() {
        return old == null && current != null;
    }

    public boolean isDelete() {
        return old != null && current == null;
    }

    public boolean isModify() {
        return old != null && current != null;
    }
}
