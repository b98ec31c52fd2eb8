package io.ovnk.ovsdb;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * What one successful operation returned.
 *
 * @param uuid the UUID an insert gave its row
 * @param count how many rows an update, mutate or delete touched
 * @param rows what a select found (only the selected columns are set)
 */
public record OperationResult(Optional<UUID> uuid, OptionalLong count, List<Row> rows) {

    public static final OperationResult EMPTY = new OperationResult(Optional.empty(), OptionalLong.empty(), List.of());

    public OperationResult {
        rows = List.copyOf(rows);
    }
}
