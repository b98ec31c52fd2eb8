package io.ovnk.overlay.internal;

import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbException;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import io.ovnk.ovsdb.TransactionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The node's Open_vSwitch database as the overlay uses it: the global row, bridges, ports and interfaces,
 * monitored into the client's cache (interfaces without their statistics, which ovs-vswitchd rewrites every few
 * seconds), with client indexes on the interfaces' {@code iface-id} and {@code sandbox}. Reads come from the
 * cache; every write is one transaction whose result is checked.
 */
final class LocalOvs implements AutoCloseable {

    static final String OPEN_VSWITCH = "Open_vSwitch";
    static final String BRIDGE = "Bridge";
    static final String PORT = "Port";
    static final String INTERFACE = "Interface";

    static final String IFACE_ID = "iface-id";
    static final String SANDBOX = "sandbox";
    static final String OVN_INSTALLED = "ovn-installed";

    private static final String BY_PORT_INTERFACE = "interface";

    private final OvsdbClient client;
    private volatile AutoCloseable monitor;

    /** A port ovnk may manage, with its bridge and its (single) interface. */
    record PortRef(UUID port, UUID bridge, UUID iface, String name, Map<String, String> externalIds) {
        String sandbox() {
            return externalIds.getOrDefault(SANDBOX, "");
        }
    }

    LocalOvs(OvsdbClient client) {
        this.client = client;
    }

    OvsdbClient client() {
        return client;
    }

    /** Starts the monitor; completes when the rows are in the cache. */
    CompletableFuture<Void> start() {
        if (monitor != null) {
            return CompletableFuture.completedFuture(null);
        }
        return client.monitor(
                TableMonitor.of(OPEN_VSWITCH).columns("bridges", "external_ids", "other_config"),
                TableMonitor.of(BRIDGE).columns("name", "ports", "datapath_type", "fail_mode", "other_config"),
                TableMonitor.of(PORT).columns("name", "interfaces", "other_config", "external_ids")
                        .index(BY_PORT_INTERFACE, LocalOvs::singleInterface),
                TableMonitor.of(INTERFACE).columns("name", "type", "ofport", "mac", "mac_in_use", "mtu_request",
                        "external_ids", "error")
                        .mapKeyIndex(IFACE_ID, "external_ids", IFACE_ID)
                        .mapKeyIndex(SANDBOX, "external_ids", SANDBOX))
                .thenAccept(handle -> monitor = handle);
    }

    boolean monitoring() {
        return monitor != null;
    }

    @Override
    public void close() {
        AutoCloseable handle = monitor;
        monitor = null;
        if (handle != null) {
            try {
                handle.close();
            } catch (Exception e) {
                // the client goes away with it
            }
        }
    }

    // ---- node set-up

    /**
     * Sets the global row's external_ids to {@code desired}, keeping a {@code system-id} that is already there
     * (inserting {@code newSystemId} otherwise: an OVSDB map insert never replaces an existing key).
     *
     * @return the system-id in force, and whether anything changed
     */
    ExternalIds ensureExternalIds(Map<String, String> desired, String newSystemId, Duration timeout) {
        Row global = globalRow();
        Map<String, String> current = global.map("external_ids");
        Map<String, String> changed = new LinkedHashMap<>();
        desired.forEach((key, value) -> {
            if (!value.equals(current.get(key))) {
                changed.put(key, value);
            }
        });
        if (changed.isEmpty() && current.containsKey("system-id")) {
            return new ExternalIds(current.get("system-id"), false);
        }
        Map<String, String> inserted = new HashMap<>(changed);
        inserted.put("system-id", newSystemId);
        TransactionResult result = commit(List.of(
                Operation.mutate(OPEN_VSWITCH).where(Condition.uuid(global.uuid())).mutation(
                        Mutation.delete("external_ids", new HashSet<>(changed.keySet())),
                        Mutation.insert("external_ids", inserted)),
                // what the row holds now, in the same transaction: the cache may learn it a moment later
                Operation.select(OPEN_VSWITCH).where(Condition.uuid(global.uuid())).columns("external_ids")), timeout);
        Map<String, String> now = result.rows(1).isEmpty() ? Map.of() : result.rows(1).get(0).map("external_ids");
        String systemId = now.get("system-id");
        if (systemId == null) {
            throw new IllegalStateException("Open_vSwitch external_ids:system-id is not set after setting it");
        }
        return new ExternalIds(systemId, true);
    }

    /** The chassis's system-id after {@link #ensureExternalIds}, and whether that call changed anything. */
    record ExternalIds(String systemId, boolean changed) {
    }

    /**
     * Creates the bridge with its local internal port if it is missing, in one transaction, as
     * {@code ovs-vsctl add-br} and ovn-controller do; otherwise sets the columns that differ.
     *
     * @return true if anything changed
     */
    boolean ensureBridge(String name, String datapathType, Duration timeout) {
        Row global = globalRow();
        Optional<Row> existing = bridge(name);
        List<Operation> operations = new ArrayList<>();
        if (existing.isEmpty()) {
            operations.add(Operation.insert(INTERFACE).set("name", name).set("type", "internal").withUuidName("iface"));
            operations.add(Operation.insert(PORT).set("name", name).set("interfaces", Set.of(NamedUuid.of("iface")))
                    .withUuidName("port"));
            operations.add(Operation.insert(BRIDGE).set("name", name).set("datapath_type", datapathType)
                    .set("fail_mode", "secure").set("other_config", Map.of("disable-in-band", "true"))
                    .set("ports", Set.of(NamedUuid.of("port"))).withUuidName("bridge"));
            operations.add(Operation.mutate(OPEN_VSWITCH).where(Condition.uuid(global.uuid()))
                    .mutation(Mutation.insert("bridges", Set.of(NamedUuid.of("bridge")))));
        } else {
            Row bridge = existing.get();
            Operation.Update update = Operation.update(BRIDGE).where(Condition.uuid(bridge.uuid()));
            boolean differs = false;
            if (!datapathType.equals(bridge.string("datapath_type"))) {
                update = update.set("datapath_type", datapathType);
                differs = true;
            }
            if (!Set.of("secure").equals(bridge.set("fail_mode"))) {
                update = update.set("fail_mode", "secure");
                differs = true;
            }
            if (differs) {
                operations.add(update);
            }
            if (!"true".equals(bridge.<String, String>map("other_config").get("disable-in-band"))) {
                operations.add(Operation.mutate(BRIDGE).where(Condition.uuid(bridge.uuid())).mutation(
                        Mutation.delete("other_config", Set.of("disable-in-band")),
                        Mutation.insert("other_config", Map.of("disable-in-band", "true"))));
            }
            if (!global.<UUID>set("bridges").contains(bridge.uuid())) {
                operations.add(Operation.mutate(OPEN_VSWITCH).where(Condition.uuid(global.uuid()))
                        .mutation(Mutation.insert("bridges", Set.of(bridge.uuid()))));
            }
        }
        if (operations.isEmpty()) {
            return false;
        }
        commit(operations, timeout);
        await(client.cache().await(BRIDGE, row -> name.equals(row.string("name"))
                && datapathType.equals(row.string("datapath_type")), timeout), "bridge " + name, timeout);
        return true;
    }

    /** Waits for a cache condition (the cache learns of a commit a moment after the reply, or before). */
    static <T> T await(CompletableFuture<T> future, String what, Duration timeout) {
        try {
            return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            throw new IllegalStateException(what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new IllegalStateException(what + ": not seen within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    /**
     * The management port: an internal port on the bridge with the MAC, MTU and iface-id; created in one
     * transaction if missing, otherwise the columns that differ are set.
     *
     * @return true if anything changed
     */
    boolean ensureInternalPort(String bridgeName, String name, String mac, long mtu, String ifaceId, Duration timeout) {
        Row bridge = bridge(bridgeName)
                .orElseThrow(() -> new IllegalStateException("bridge " + bridgeName + " does not exist"));
        Optional<Row> iface = client.cache().table(INTERFACE).lookup("name", name);
        Optional<Row> port = client.cache().table(PORT).lookup("name", name);
        List<Operation> operations = new ArrayList<>();
        if (iface.isEmpty() || port.isEmpty()) {
            operations.add(Operation.insert(INTERFACE).set("name", name).set("type", "internal").set("mac", mac)
                    .set("mtu_request", mtu).set("external_ids", Map.of(IFACE_ID, ifaceId)).withUuidName("iface"));
            operations.add(Operation.insert(PORT).set("name", name).set("interfaces", Set.of(NamedUuid.of("iface")))
                    .withUuidName("port"));
            operations.add(Operation.mutate(BRIDGE).where(Condition.uuid(bridge.uuid()))
                    .mutation(Mutation.insert("ports", Set.of(NamedUuid.of("port")))));
        } else {
            Row row = iface.get();
            Operation.Update update = Operation.update(INTERFACE).where(Condition.uuid(row.uuid()));
            boolean differs = false;
            if (!"internal".equals(row.string("type"))) {
                update = update.set("type", "internal");
                differs = true;
            }
            if (!Set.of(mac).equals(row.set("mac"))) {
                update = update.set("mac", mac);
                differs = true;
            }
            if (!Set.of(mtu).equals(row.set("mtu_request"))) {
                update = update.set("mtu_request", mtu);
                differs = true;
            }
            if (differs) {
                operations.add(update);
            }
            if (!ifaceId.equals(row.<String, String>map("external_ids").get(IFACE_ID))) {
                operations.add(Operation.mutate(INTERFACE).where(Condition.uuid(row.uuid())).mutation(
                        Mutation.delete("external_ids", Set.of(IFACE_ID)),
                        Mutation.insert("external_ids", Map.of(IFACE_ID, ifaceId))));
            }
            if (!bridge.<UUID>set("ports").contains(port.get().uuid())) {
                operations.add(Operation.mutate(BRIDGE).where(Condition.uuid(bridge.uuid()))
                        .mutation(Mutation.insert("ports", Set.of(port.get().uuid()))));
            }
        }
        if (operations.isEmpty()) {
            return false;
        }
        commit(operations, timeout);
        return true;
    }

    /** Completes with the interface once ovs-vswitchd has given it an OpenFlow port (its device exists then). */
    CompletableFuture<Row> awaitOfport(String name, Duration timeout) {
        return client.cache().await(INTERFACE, row -> name.equals(row.string("name"))
                && row.<Long>set("ofport").stream().anyMatch(ofport -> ofport > 0), timeout);
    }

    // ---- pods

    /**
     * Adds a pod's port to the bridge and, in the same transaction, removes every other port whose interface
     * has the same iface-id or whose name is taken (an earlier sandbox of the pod).
     *
     * @return the new interface's UUID
     */
    CompletableFuture<PortRef> addPodPort(String bridgeName, String name, Map<String, String> externalIds,
            Duration timeout) {
        Row bridge = bridge(bridgeName)
                .orElseThrow(() -> new IllegalStateException("bridge " + bridgeName + " does not exist"));
        String ifaceId = externalIds.get(IFACE_ID);
        List<PortRef> stale = new ArrayList<>();
        for (Row iface : client.cache().table(INTERFACE).byIndex(IFACE_ID, ifaceId)) {
            portOf(iface).ifPresent(stale::add);
        }
        client.cache().table(INTERFACE).lookup("name", name).flatMap(this::portOf)
                .filter(ref -> !stale.contains(ref)).ifPresent(stale::add);
        List<Operation> operations = new ArrayList<>(removals(stale));
        operations.add(Operation.insert(INTERFACE).set("name", name).set("external_ids", externalIds)
                .withUuidName("iface"));
        operations.add(Operation.insert(PORT).set("name", name).set("interfaces", Set.of(NamedUuid.of("iface")))
                .set("other_config", Map.of("transient", "true")).withUuidName("port"));
        operations.add(Operation.mutate(BRIDGE).where(Condition.uuid(bridge.uuid()))
                .mutation(Mutation.insert("ports", Set.of(NamedUuid.of("port")))));
        int iface = operations.size() - 3;
        return client.transact(operations, timeout).thenApply(result -> new PortRef(result.uuid(iface + 1),
                bridge.uuid(), result.uuid(iface), name, externalIds));
    }

    /** Completes with the interface once ovn-controller has installed its flows (external_ids ovn-installed). */
    CompletableFuture<Row> awaitInstalled(UUID iface, Duration timeout) {
        return client.cache().await(INTERFACE, row -> row.uuid().equals(iface)
                && "true".equals(row.<String, String>map("external_ids").get(OVN_INSTALLED)), timeout);
    }

    Optional<Row> iface(UUID uuid) {
        return client.cache().table(INTERFACE).get(uuid);
    }

    Optional<Row> ifaceNamed(String name) {
        return client.cache().table(INTERFACE).lookup("name", name);
    }

    /** The ports of a sandbox: by the interfaces' external_ids:sandbox, and the port named {@code hostName}. */
    List<PortRef> sandboxPorts(String sandboxId, String hostName) {
        List<PortRef> ports = new ArrayList<>();
        for (Row iface : client.cache().table(INTERFACE).byIndex(SANDBOX, sandboxId)) {
            portOf(iface).ifPresent(ports::add);
        }
        client.cache().table(INTERFACE).lookup("name", hostName).flatMap(this::portOf)
                .filter(ref -> !ports.contains(ref)).ifPresent(ports::add);
        return ports;
    }

    /** Every port ovnk made for a pod: its interface has both an iface-id and a sandbox. */
    List<PortRef> podPorts() {
        List<PortRef> ports = new ArrayList<>();
        for (Row iface : client.cache().table(INTERFACE).find(row -> {
            Map<String, String> ids = row.map("external_ids");
            return ids.containsKey(IFACE_ID) && ids.containsKey(SANDBOX);
        })) {
            portOf(iface).ifPresent(ports::add);
        }
        return ports;
    }

    /** Removes the ports from their bridges (the database then drops them and their interfaces), at once. */
    void removePorts(Collection<PortRef> ports, Duration timeout) {
        List<Operation> operations = removals(ports);
        if (!operations.isEmpty()) {
            commit(operations, timeout);
        }
    }

    private static List<Operation> removals(Collection<PortRef> ports) {
        Map<UUID, Set<UUID>> byBridge = new LinkedHashMap<>();
        for (PortRef port : ports) {
            if (port.bridge() != null) {
                byBridge.computeIfAbsent(port.bridge(), b -> new HashSet<>()).add(port.port());
            }
        }
        List<Operation> operations = new ArrayList<>();
        byBridge.forEach((bridge, removed) -> operations.add(Operation.mutate(BRIDGE).where(Condition.uuid(bridge))
                .mutation(Mutation.delete("ports", removed))));
        return operations;
    }

    private Optional<PortRef> portOf(Row iface) {
        for (Row port : client.cache().table(PORT).byIndex(BY_PORT_INTERFACE, iface.uuid())) {
            UUID bridge = client.cache().table(BRIDGE).find(b -> b.<UUID>set("ports").contains(port.uuid())).stream()
                    .map(Row::uuid).findFirst().orElse(null);
            return Optional.of(new PortRef(port.uuid(), bridge, iface.uuid(), port.string("name"),
                    iface.map("external_ids")));
        }
        return Optional.empty();
    }

    private static Object singleInterface(Row port) {
        Set<Object> interfaces = port.set("interfaces");
        return interfaces.size() == 1 ? interfaces.iterator().next() : null;
    }

    Optional<Row> bridge(String name) {
        return client.cache().table(BRIDGE).lookup("name", name);
    }

    private Row globalRow() {
        Collection<Row> rows = client.cache().table(OPEN_VSWITCH).rows();
        if (rows.isEmpty()) {
            throw new IllegalStateException("the Open_vSwitch table has no row (was `ovs-vsctl init` run?)");
        }
        return rows.iterator().next();
    }

    /** One transaction, its results checked; an OvsdbException or IllegalStateException says what failed. */
    TransactionResult commit(List<Operation> operations, Duration timeout) {
        try {
            return client.transact(operations, timeout).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof OvsdbException ovsdb) {
                throw ovsdb;
            }
            throw new IllegalStateException("Open_vSwitch transaction failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Open_vSwitch transaction: no answer within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during an Open_vSwitch transaction", e);
        }
    }
}
