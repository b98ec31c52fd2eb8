package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.ColumnSchema;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import io.ovnk.ovsdb.TableSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cache against an independent witness: after 10,000 random changes made by a second client, it holds
 * exactly what {@code ovsdb-client dump} prints, row for row and column for column.
 */
@RequiresOvn
class CacheConsistencyTest {

    static final int CHANGES = 10_000;
    static final int BATCH = 200;

    @Test
    void theCacheEqualsOvsdbClientDumpAfterTenThousandRandomChanges() throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly();
                OvsdbClient watcher = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().tcpRemote()));
                OvsdbClient writer = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()))) {
            watcher.monitor(TableMonitor.of("Logical_Switch"), TableMonitor.of("Logical_Switch_Port")).get(10, TimeUnit.SECONDS);
            writer.connected().get(10, TimeUnit.SECONDS);
            Random random = new Random(7_2026);
            List<UUID> switches = new ArrayList<>();
            for (int s = 0; s < 5; s++) {
                switches.add(writer.transact(Operation.insert("Logical_Switch").set("name", "rs" + s)).get(10, TimeUnit.SECONDS).uuid(0));
            }
            Map<UUID, UUID> portSwitch = new HashMap<>();
            int made = 0;
            int serial = 0;
            while (made < CHANGES) {
                List<CompletableFuture<io.ovnk.ovsdb.TransactionResult>> batch = new ArrayList<>();
                List<UUID> inserting = new ArrayList<>();
                List<UUID> ports = new ArrayList<>(portSwitch.keySet());
                Set<UUID> touched = new HashSet<>();
                for (int i = 0; i < BATCH && made < CHANGES; i++, made++) {
                    int kind = ports.size() < 50 ? 0 : random.nextInt(6);
                    UUID target = ports.isEmpty() ? null : ports.get(random.nextInt(ports.size()));
                    if (kind != 0 && !touched.add(target)) {
                        kind = 0; // one change per port per batch keeps deletes and their bookkeeping simple
                    }
                    switch (kind) {
                        case 0 -> {
                            UUID sw = switches.get(random.nextInt(switches.size()));
                            Operation.Insert port = Operation.insert("Logical_Switch_Port").set("name", "rp" + serial++)
                                    .set("addresses", randomSet(random, "0a:58:0a:00:00:"))
                                    .set("external_ids", randomMap(random))
                                    .set("tag", random.nextBoolean() ? Set.of() : Set.of(1L + random.nextInt(4094)))
                                    .set("type", random.nextBoolean() ? "" : "router")
                                    .withUuidName("p");
                            batch.add(writer.transact(port, Operation.mutate("Logical_Switch").where(Condition.uuid(sw))
                                    .mutation(Mutation.insert("ports", Set.of(port.reference())))));
                            inserting.add(sw);
                        }
                        case 1 -> {
                            batch.add(writer.transact(Operation.mutate("Logical_Switch").where(Condition.uuid(portSwitch.get(target)))
                                    .mutation(Mutation.delete("ports", Set.of(target)))));
                            portSwitch.remove(target);
                            inserting.add(null);
                        }
                        case 2 -> {
                            batch.add(writer.transact(Operation.update("Logical_Switch_Port").where(Condition.uuid(target))
                                    .set("addresses", randomSet(random, "0a:58:0a:01:00:")).set("enabled", Set.of(random.nextBoolean()))));
                            inserting.add(null);
                        }
                        case 3 -> {
                            batch.add(writer.transact(Operation.mutate("Logical_Switch_Port").where(Condition.uuid(target))
                                    .mutation(Mutation.insert("external_ids", randomMap(random)))));
                            inserting.add(null);
                        }
                        case 4 -> {
                            batch.add(writer.transact(Operation.mutate("Logical_Switch_Port").where(Condition.uuid(target))
                                    .mutation(Mutation.delete("external_ids", Set.of("k" + random.nextInt(4))),
                                            Mutation.delete("addresses", randomSet(random, "0a:58:0a:00:00:")))));
                            inserting.add(null);
                        }
                        default -> {
                            batch.add(writer.transact(Operation.update("Logical_Switch_Port").where(Condition.uuid(target))
                                    .set("tag", random.nextBoolean() ? Set.of() : Set.of(1L + random.nextInt(4094)))
                                    .set("options", randomMap(random))));
                            inserting.add(null);
                        }
                    }
                }
                for (int i = 0; i < batch.size(); i++) {
                    io.ovnk.ovsdb.TransactionResult result = batch.get(i).get(30, TimeUnit.SECONDS);
                    if (inserting.get(i) != null) {
                        portSwitch.put(result.uuid(0), inserting.get(i));
                    }
                }
            }
            // a marker written last: once the watcher has it, it has everything before it
            UUID marker = writer.transact(Operation.insert("Logical_Switch").set("name", "marker")).get(10, TimeUnit.SECONDS).uuid(0);
            watcher.cache().await("Logical_Switch", row -> row.uuid().equals(marker), Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);

            for (String table : List.of("Logical_Switch", "Logical_Switch_Port")) {
                Map<UUID, Map<String, Object>> dumped = dump(stack, watcher.schema().require(table));
                Map<UUID, Map<String, Object>> cached = new HashMap<>();
                for (Row row : watcher.cache().table(table).rows()) {
                    cached.put(row.uuid(), columns(row));
                }
                assertEquals(dumped.size(), cached.size(), table + " row count");
                for (Map.Entry<UUID, Map<String, Object>> expected : dumped.entrySet()) {
                    assertEquals(new TreeMap<>(expected.getValue()), new TreeMap<>(cached.get(expected.getKey())),
                            table + " row " + expected.getKey());
                }
            }
            assertEquals(portSwitch.size(), watcher.cache().table("Logical_Switch_Port").size());
        }
    }

    /** {@code ovsdb-client dump -f json}, decoded with the same schema: the witness. */
    private static Map<UUID, Map<String, Object>> dump(OvnStack stack, TableSchema table) throws Exception {
        String json = stack.commands().run("ovsdb-client", "-f", "json", "dump", stack.northbound().unixRemote(),
                "OVN_Northbound", table.name());
        JsonNode dump = JsonMapper.builder().build().readTree(json);
        JsonNode tableDump = dump.isArray() ? dump.get(0) : dump;
        List<String> headings = new ArrayList<>();
        tableDump.get("headings").forEach(h -> headings.add(h.asString()));
        Map<UUID, Map<String, Object>> rows = new HashMap<>();
        for (JsonNode data : tableDump.get("data")) {
            UUID uuid = null;
            Map<String, Object> columns = new HashMap<>();
            for (int i = 0; i < headings.size(); i++) {
                String heading = headings.get(i);
                if (heading.equals("_uuid")) {
                    uuid = UUID.fromString(data.get(i).get(1).asString());
                } else if (!heading.equals("_version")) {
                    columns.put(heading, Values.decode(data.get(i), table.require(heading).type()));
                }
            }
            rows.put(uuid, columns);
        }
        return rows;
    }

    private static Map<String, Object> columns(Row row) {
        Map<String, Object> columns = new HashMap<>();
        for (ColumnSchema column : row.table().columns()) {
            columns.put(column.name(), row.get(column.name()));
        }
        return columns;
    }

    private static Set<String> randomSet(Random random, String prefix) {
        Set<String> set = new HashSet<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            set.add(prefix + String.format("%02x", random.nextInt(8)));
        }
        return set;
    }

    private static Map<String, String> randomMap(Random random) {
        Map<String, String> map = new HashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            map.put("k" + random.nextInt(4), "v" + random.nextInt(3));
        }
        return map;
    }
}
