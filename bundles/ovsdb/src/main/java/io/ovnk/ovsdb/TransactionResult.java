package io.ovnk.ovsdb;

import java.util.List;
import java.util.UUID;

/** The results of a transaction whose every operation succeeded, one per operation, in order. */
public record TransactionResult(List<OperationResult> results) {

    public TransactionResult {
        results = List.copyOf(results);
    }

    public OperationResult get(int index) {
        return results.get(index);
    }

    /** The UUID the insert at {@code index} created. */
    public UUID uuid(int index) {
        return results.get(index).uuid().orElseThrow(() -> new IllegalArgumentException(
                "operation " + index + " is not an insert"));
    }

    /** How many rows the operation at {@code index} touched. */
    public long count(int index) {
        return results.get(index).count().orElseThrow(() -> new IllegalArgumentException(
                "operation " + index + " reports no count"));
    }

    public List<Row> rows(int index) {
        return results.get(index).rows();
    }
}
