package io.ovnk.gateway.internal;

import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbException;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TransactionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The node's external bridge in the local Open_vSwitch database: {@code br-ex} (its internal port, the
 * configured datapath) holding the uplink, and {@code ovn-bridge-mappings} {@code physnet:br-ex} merged into what
 * the global row already maps. The overlay node monitors Open_vSwitch, Bridge, Port and Interface on the same
 * client, and a table can be in one monitor only: so this reads with {@code select}s in its own transactions
 * (no monitor, whoever starts first) and each write is one transaction whose results are checked.
 */
final class ExternalBridge {

    /** What {@link #ensure} did. */
    record Outcome(boolean bridgeCreated, boolean uplinkAdded, boolean mappingsChanged) {
        boolean changed() {
            return bridgeCreated || uplinkAdded || mappingsChanged;
        }
    }

    private final OvsdbClient client;
    private final Duration timeout;

    ExternalBridge(OvsdbClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    Outcome ensure(String bridge, String uplink, String physnet, String datapathType) {
        TransactionResult read = commit(List.of(Operation.select("Open_vSwitch"),
                Operation.select("Bridge").where(Condition.equal("name", bridge)),
                Operation.select("Port").where(Condition.equal("name", uplink)),
                Operation.select("Bridge").where(Condition.includes("ports", Set.of())).columns("_uuid", "name", "ports")));
        Row global = read.rows(0).stream().findFirst()
                .orElseThrow(() -> new IllegalStateException("the Open_vSwitch table has no row (ovs-vsctl init)"));
        Optional<Row> existing = read.rows(1).stream().findFirst();
        Optional<Row> uplinkPort = read.rows(2).stream().findFirst();
        List<Operation> ops = new ArrayList<>();
        boolean created = false;
        boolean added = false;
        Object bridgeRef;
        if (uplinkPort.isPresent()) {
            UUID port = uplinkPort.get().uuid();
            Optional<Row> holder = read.rows(3).stream().filter(b -> b.set("ports").contains(port)).findFirst();
            if (holder.isPresent() && !holder.get().string("name").equals(bridge)) {
                throw new IllegalArgumentException("uplink " + uplink + " is already a port of bridge "
                        + holder.get().string("name") + ", not of " + bridge);
            }
        }
        if (existing.isEmpty()) {
            ops.add(Operation.insert("Interface").withUuidName("brif").set("name", bridge).set("type", "internal"));
            ops.add(Operation.insert("Port").withUuidName("brport").set("name", bridge)
                    .set("interfaces", Set.of(NamedUuid.of("brif"))));
            ops.add(Operation.insert("Bridge").withUuidName("br").set("name", bridge).set("datapath_type", datapathType)
                    .set("ports", Set.of(NamedUuid.of("brport")))
                    .set("external_ids", Map.of("k8s.ovn.org/owner-controller", GatewayNames.CONTROLLER)));
            ops.add(Operation.mutate("Open_vSwitch").where(Condition.uuid(global.uuid()))
                    .mutation(Mutation.insert("bridges", Set.of(NamedUuid.of("br")))));
            bridgeRef = NamedUuid.of("br");
            created = true;
        } else {
            bridgeRef = existing.get().uuid();
            if (!datapathType.equals(existing.get().string("datapath_type"))) {
                ops.add(Operation.update("Bridge").where(Condition.uuid(existing.get().uuid()))
                        .set("datapath_type", datapathType));
            }
        }
        if (uplinkPort.isEmpty() || existing.isEmpty()
                || !existing.get().set("ports").contains(uplinkPort.get().uuid())) {
            if (uplinkPort.isEmpty()) {
                ops.add(Operation.insert("Interface").withUuidName("upif").set("name", uplink));
                ops.add(Operation.insert("Port").withUuidName("upport").set("name", uplink)
                        .set("interfaces", Set.of(NamedUuid.of("upif"))));
            }
            Object port = uplinkPort.<Object>map(Row::uuid).orElse(NamedUuid.of("upport"));
            ops.add(Operation.mutate("Bridge").where(GatewayRouters.reference(bridgeRef))
                    .mutation(Mutation.insert("ports", Set.of(port))));
            added = true;
        }
        Map<String, String> ids = global.map("external_ids");
        String current = ids.getOrDefault("ovn-bridge-mappings", "");
        String merged = mergeMappings(current, physnet, bridge);
        boolean mappings = !merged.equals(current);
        if (mappings) {
            ops.add(Operation.mutate("Open_vSwitch").where(Condition.uuid(global.uuid())).mutation(
                    Mutation.delete("external_ids", Set.of("ovn-bridge-mappings")),
                    Mutation.insert("external_ids", Map.of("ovn-bridge-mappings", merged))));
        }
        commit(ops);
        return new Outcome(created, added, mappings);
    }

    /** {@code a:br-a,physnet:old} with physnet on br-ex is {@code a:br-a,physnet:br-ex}: other networks are kept. */
    static String mergeMappings(String current, String physnet, String bridge) {
        Map<String, String> mappings = new LinkedHashMap<>();
        for (String entry : current.split(",")) {
            int colon = entry.indexOf(':');
            if (colon > 0) {
                mappings.put(entry.substring(0, colon).trim(), entry.substring(colon + 1).trim());
            }
        }
        mappings.put(physnet, bridge);
        StringBuilder text = new StringBuilder();
        mappings.forEach((network, br) -> text.append(text.length() == 0 ? "" : ",").append(network).append(':').append(br));
        return text.toString();
    }

    private TransactionResult commit(List<Operation> ops) {
        if (ops.isEmpty()) {
            return new TransactionResult(List.of());
        }
        try {
            return client.transact(ops, timeout).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof OvsdbException ovsdb) {
                throw ovsdb;
            }
            throw new IllegalStateException("Open_vSwitch transaction failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Open_vSwitch transaction: no answer within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
