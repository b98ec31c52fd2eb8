package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableSchema;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** update2 diffs as ovsdb-server sends them (the shapes below were seen on the wire from OVS 3.1). */
class RowsTest {

    static final TableSchema PORTS = SchemaParser.parse(json("""
            {"name":"T","version":"1","tables":{"Port":{"columns":{
              "name":{"type":"string"},
              "tag":{"type":{"key":{"type":"integer","minInteger":1,"maxInteger":4095},"min":0,"max":1}},
              "addresses":{"type":{"key":"string","min":0,"max":"unlimited"}},
              "external_ids":{"type":{"key":"string","value":"string","min":0,"max":"unlimited"}}}}}}
            """)).require("Port");

    final Row base = Row.of(PORTS, UUID.randomUUID(), Map.of("name", "p", "tag", Set.of(5L),
            "addresses", Set.of("a", "b"), "external_ids", Map.of("k1", "v1", "k2", "v2")));

    @Test
    void aColumnOfAtMostOneElementTakesTheDiffAsItsNewValue() {
        assertEquals(Set.of(), Rows.applyDiff(base, json("{\"tag\":[\"set\",[]]}")).get("tag"));
        assertEquals(Set.of(7L), Rows.applyDiff(base, json("{\"tag\":7}")).get("tag"));
        assertEquals("q", Rows.applyDiff(base, json("{\"name\":\"q\"}")).get("name"));
    }

    @Test
    void aSetTakesTheSymmetricDifference() {
        assertEquals(Set.of("b", "c"), Rows.applyDiff(base, json("{\"addresses\":[\"set\",[\"a\",\"c\"]]}")).get("addresses"));
        assertEquals(Set.of("a"), Rows.applyDiff(base, json("{\"addresses\":\"b\"}")).get("addresses"));
    }

    @Test
    void aMapAddsRemovesAndReplacesByKey() {
        Row after = Rows.applyDiff(base, json("{\"external_ids\":[\"map\",[[\"k1\",\"v1\"],[\"k2\",\"x\"],[\"k3\",\"v3\"]]]}"));
        assertEquals(Map.of("k2", "x", "k3", "v3"), after.get("external_ids"));
    }

    static JsonNode json(String text) {
        return JsonMapper.builder().build().readTree(text);
    }
}
