package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovsdb.DatabaseSchema;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OperationFailedException;
import io.ovnk.ovsdb.ProtocolException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoding transact replies that violate RFC 7047: typed failures naming what was wrong, never anything else. */
class TransactionsTest {

    static final DatabaseSchema SCHEMA = SchemaParser.parse(RowsTest.json(ScriptedServer.SCHEMA));
    static final List<Operation> INSERT = List.of(Operation.insert("T").set("name", "a"));

    @Test
    void operationErrorsOfAnotherTypeAreReportedAsSent() {
        OperationFailedException e = assertThrows(OperationFailedException.class, () -> Transactions.decode(SCHEMA,
                INSERT, RowsTest.json("[{\"error\":[\"a\"],\"details\":{\"x\":1}}]")));
        assertTrue(e.getMessage().contains("[\"a\"]") && e.getMessage().contains("{\"x\":1}"), e.getMessage());
    }

    @Test
    void countsAndRowsOfTheWrongTypeAndInsertsWithoutUuidAreProtocolErrors() {
        for (String reply : List.of("[{\"uuid\":[\"uuid\",\"4f9e0c55-0d7c-4b6f-9a43-0c0ddc1f3a11\"],\"count\":\"abc\"}]",
                "[{\"uuid\":[\"uuid\",\"4f9e0c55-0d7c-4b6f-9a43-0c0ddc1f3a11\"],\"count\":-1}]", "[{}]",
                "[{\"error\":null}]")) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> Transactions.decode(SCHEMA, INSERT,
                    RowsTest.json(reply)), reply);
            assertTrue(e.getMessage().startsWith("result of insert"), e.getMessage());
        }
        ProtocolException rows = assertThrows(ProtocolException.class, () -> Transactions.decode(SCHEMA,
                List.of(Operation.select("T")), RowsTest.json("[{\"rows\":5}]")));
        assertEquals("result of select: rows 5 is not an array", rows.getMessage());
    }
}
