package io.ovnk.underlay.internal;

import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbException;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
 * The OVS inside the VM, through its Open_vSwitch database: the guest bridge, its trunk (the VM's NIC) and the
 * pods' access ports ({@code Port.tag}), monitored into the client's cache. Pod ports carry on their interface
 * {@code external_ids} {@code iface-id}, {@code sandbox}, {@code attached_mac} and {@code ip_addresses} as
 * overlay ports do. Every write is one transaction whose result is checked.
 */
final class GuestBridge implements AutoCloseable {

    static final String BRIDGE = "Bridge";
    static final String PORT = "Port";
    static final String INTERFACE = "Interface";
    static final String IFACE_ID = "iface-id";
    static final String SANDBOX = "sandbox";

    private final OvsdbClient client;
    private volatile CompletableFuture<AutoCloseable> monitor;

    /** A pod's access port: the port, its bridge and its single interface. */
    record PortRef(UUID port, UUID bridge, UUID iface, String name, long tag, Map<String, String> externalIds) {
        String sandbox() {
            return externalIds.getOrDefault(SANDBOX, "");
        }
    }

    GuestBridge(OvsdbClient client) {
        this.client = client;
    }

    /** Starts the monitor (once); completes when the rows are in the cache. */
    synchronized CompletableFuture<AutoCloseable> start() {
        if (monitor == null || monitor.isCompletedExceptionally()) {
            monitor = client.monitor(TableMonitor.of(BRIDGE).columns("name", "ports"),
                    TableMonitor.of(PORT).columns("name", "interfaces", "tag", "trunks"),
                    TableMonitor.of(INTERFACE).columns("name", "ofport", "external_ids", "error")
                            .mapKeyIndex(SANDBOX, "external_ids", SANDBOX));
        }
        return monitor;
    }

    boolean monitoring() {
        CompletableFuture<AutoCloseable> started = monitor;
        return started != null && started.isDone() && !started.isCompletedExceptionally();
    }

    @Override
    public void close() {
        CompletableFuture<AutoCloseable> started = monitor;
        monitor = null;
        if (started != null) {
            started.thenAccept(handle -> {
                try {
                    handle.close();
                } catch (Exception e) {
                    // the client goes away with it
                }
            });
        }
    }

    /** Why pods cannot be attached now (no bridge, no trunk), or empty. */
    Optional<String> problem(String bridgeName, String trunk) {
        if (client.state() != OvsdbClient.State.CONNECTED) {
            return Optional.of("the VM's Open_vSwitch database is not connected (" + client.state() + ")");
        }
        if (!monitoring()) {
            return Optional.of("the VM's Open_vSwitch database is not monitored yet");
        }
        Optional<Row> bridge = bridge(bridgeName);
        if (bridge.isEmpty()) {
            return Optional.of("the VM has no OVS bridge " + bridgeName);
        }
        Set<UUID> ports = bridge.get().set("ports");
        boolean trunked = client.cache().table(PORT).rows().stream()
                .anyMatch(port -> ports.contains(port.uuid()) && trunk.equals(port.string("name")));
        return trunked ? Optional.empty() : Optional.of("the NIC " + trunk + " is not a port of " + bridgeName);
    }

    /**
     * Adds an access port (tag) with one interface to the bridge, removing in the same transaction every other
     * port of the same iface-id or name (an earlier sandbox of the pod).
     */
    CompletableFuture<PortRef> addAccessPort(String bridgeName, String name, int tag, Map<String, String> externalIds,
            Duration timeout) {
        Row bridge = bridge(bridgeName)
                .orElseThrow(() -> new IllegalStateException("the VM has no OVS bridge " + bridgeName));
        String ifaceId = externalIds.get(IFACE_ID);
        List<PortRef> stale = new ArrayList<>();
        for (Row iface : client.cache().table(INTERFACE).find(row -> ifaceId.equals(row.<String, String>map(
                "external_ids").get(IFACE_ID)) || name.equals(row.string("name")))) {
            portOf(iface).ifPresent(stale::add);
        }
        List<Operation> operations = new ArrayList<>(removals(stale));
        operations.add(Operation.insert(INTERFACE).set("name", name).set("external_ids", externalIds)
                .withUuidName("iface"));
        operations.add(Operation.insert(PORT).set("name", name).set("tag", (long) tag)
                .set("interfaces", Set.of(NamedUuid.of("iface"))).withUuidName("port"));
        operations.add(Operation.mutate(BRIDGE).where(Condition.uuid(bridge.uuid()))
                .mutation(Mutation.insert("ports", Set.of(NamedUuid.of("port")))));
        int iface = operations.size() - 3;
        return client.transact(operations, timeout).thenApply(result -> new PortRef(result.uuid(iface + 1),
                bridge.uuid(), result.uuid(iface), name, tag, externalIds));
    }

    /**
     * Completes with the interface once ovs-vswitchd has attached it (an OpenFlow port number), or fails naming
     * the error ovs-vswitchd reported for it.
     */
    CompletableFuture<Row> awaitAttached(UUID iface, Duration timeout) {
        return client.cache().await(INTERFACE, row -> row.uuid().equals(iface)
                && (row.<Long>set("ofport").stream().anyMatch(ofport -> ofport > 0) || !row.set("error").isEmpty()),
                timeout).thenApply(row -> {
                    if (!row.set("error").isEmpty()) {
                        throw new IllegalStateException("ovs-vswitchd: " + row.set("error").iterator().next());
                    }
                    return row;
                });
    }

    /** The ports of a sandbox: by external_ids:sandbox, and the port named {@code hostName}. */
    List<PortRef> sandboxPorts(String sandboxId, String hostName) {
        List<PortRef> ports = new ArrayList<>();
        for (Row iface : client.cache().table(INTERFACE).byIndex(SANDBOX, sandboxId)) {
            portOf(iface).ifPresent(ports::add);
        }
        client.cache().table(INTERFACE).lookup("name", hostName).flatMap(this::portOf)
                .filter(ref -> !ports.contains(ref)).ifPresent(ports::add);
        return ports;
    }

    /** Every pod port ovnk made: an interface with both an iface-id and a sandbox. */
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

    void removePorts(Collection<PortRef> ports, Duration timeout) {
        List<Operation> operations = removals(ports);
        if (operations.isEmpty()) {
            return;
        }
        try {
            client.transact(operations, timeout).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof OvsdbException ovsdb) {
                throw ovsdb;
            }
            throw new IllegalStateException("Open_vSwitch transaction failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Open_vSwitch transaction: no answer within " + timeout.toMillis() + " ms",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during an Open_vSwitch transaction", e);
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
        for (Row port : client.cache().table(PORT).find(p -> p.<UUID>set("interfaces").contains(iface.uuid()))) {
            UUID bridge = client.cache().table(BRIDGE).find(b -> b.<UUID>set("ports").contains(port.uuid())).stream()
                    .map(Row::uuid).findFirst().orElse(null);
            long tag = port.<Long>set("tag").stream().findFirst().orElse(0L);
            return Optional.of(new PortRef(port.uuid(), bridge, iface.uuid(), port.string("name"), tag,
                    iface.map("external_ids")));
        }
        return Optional.empty();
    }

    Optional<Row> bridge(String name) {
        return client.cache().table(BRIDGE).lookup("name", name);
    }
}
