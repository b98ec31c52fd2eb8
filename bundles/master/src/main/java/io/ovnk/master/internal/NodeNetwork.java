package io.ovnk.master.internal;

import static io.ovnk.master.internal.Northbound.GATEWAY_CHASSIS;
import static io.ovnk.master.internal.Northbound.LB_GROUP;
import static io.ovnk.master.internal.Northbound.ROUTER;
import static io.ovnk.master.internal.Northbound.ROUTER_PORT;
import static io.ovnk.master.internal.Northbound.SWITCH;
import static io.ovnk.master.internal.Northbound.SWITCH_PORT;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.MacAddress;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * One node's part of the Northbound: its switch (named after the node, {@code other_config:subnet} and
 * {@code exclude_ips} of the management address, {@code ipv6_prefix}), the router port {@code rtos-<node>} on
 * the first address of each subnet with its peer {@code stor-<node>}, the management port {@code k8s-<node>} on
 * the second, and a {@code Gateway_Chassis} pinning the router port to the node's chassis once it is known.
 */
final class NodeNetwork {

    /** What a node's network is made of. */
    record Spec(String node, List<Cidr> subnets, Optional<MacAddress> managementMac, Optional<String> chassis) {
        Spec {
            subnets = List.copyOf(subnets);
        }
    }

    private final Northbound nb;

    NodeNetwork(Northbound nb) {
        this.nb = nb;
    }

    /** Makes the node's rows match the spec in one transaction; false when they already did. */
    boolean ensure(Spec spec) {
        Row router = nb.named(ROUTER, OvnNames.CLUSTER_ROUTER)
                .orElseThrow(() -> new IllegalStateException(OvnNames.CLUSTER_ROUTER + " does not exist (yet)"));
        Row group = nb.named(LB_GROUP, OvnNames.CLUSTER_LB_GROUP)
                .orElseThrow(() -> new IllegalStateException(OvnNames.CLUSTER_LB_GROUP + " does not exist (yet)"));
        String node = spec.node();
        Map<String, String> owned = OvnNames.owned(OvnNames.TYPE_NODE, node);
        List<Operation> operations = new ArrayList<>();

        Map<String, String> otherConfig = new HashMap<>();
        for (Cidr subnet : spec.subnets()) {
            if (subnet.family() == Family.IPV4) {
                otherConfig.put("subnet", subnet.toString());
                otherConfig.put("exclude_ips", subnet.network().plus(2).toString());
            } else {
                otherConfig.put("ipv6_prefix", subnet.network().toString());
            }
        }
        Map<String, Object> switchColumns = Map.of("name", OvnNames.nodeSwitch(node), "other_config", otherConfig,
                "external_ids", owned, "load_balancer_group", Set.of(group.uuid()));
        Optional<Row> existingSwitch = nb.named(SWITCH, OvnNames.nodeSwitch(node));
        Object switchRef;
        if (existingSwitch.isPresent()) {
            switchRef = existingSwitch.get().uuid();
            Northbound.update(existingSwitch.get(), switchColumns).ifPresent(operations::add);
        } else {
            operations.add(Northbound.noneNamed(SWITCH, OvnNames.nodeSwitch(node)));
            operations.add(Northbound.insert(SWITCH, switchColumns, "ls"));
            switchRef = NamedUuid.of("ls");
        }

        Map<String, Object> stor = Map.of("name", OvnNames.switchToRouter(node), "type", "router",
                "addresses", Set.of("router"), "options", Map.of("router-port", OvnNames.routerToSwitch(node)),
                "external_ids", owned);
        ensurePort(operations, stor, switchRef, "stor");

        List<Cidr> gateways = spec.subnets().stream().map(s -> new Cidr(s.network().plus(1), s.prefixLength())).toList();
        Set<String> networks = gateways.stream().map(Cidr::toString).collect(Collectors.toCollection(LinkedHashSet::new));
        Map<String, Object> rtos = new HashMap<>(Map.of("name", OvnNames.routerToSwitch(node),
                "mac", MacAddress.forAddress(gateways.get(0).address()).toString(), "networks", networks,
                "external_ids", owned));
        Optional<Row> existingRtos = nb.named(ROUTER_PORT, OvnNames.routerToSwitch(node));
        Object chassisRef = null;
        if (spec.chassis().isPresent()) {
            String name = OvnNames.gatewayChassis(node, spec.chassis().get());
            Optional<Row> chassis = nb.named(GATEWAY_CHASSIS, name);
            if (chassis.isPresent()) {
                chassisRef = chassis.get().uuid();
            } else {
                operations.add(Northbound.insert(GATEWAY_CHASSIS, Map.of("name", name, "chassis_name",
                        spec.chassis().get(), "priority", 1L, "external_ids", owned), "gc"));
                chassisRef = NamedUuid.of("gc");
            }
            rtos.put("gateway_chassis", Set.of(chassisRef));
        }
        if (existingRtos.isPresent()) {
            if (chassisRef instanceof UUID uuid && existingRtos.get().set("gateway_chassis").contains(uuid)) {
                rtos.remove("gateway_chassis"); // already pinned there
            }
            Northbound.update(existingRtos.get(), rtos).ifPresent(operations::add);
        } else {
            operations.add(Northbound.insert(ROUTER_PORT, rtos, "rtos"));
            operations.add(Operation.mutate(ROUTER).where(Condition.uuid(router.uuid()))
                    .mutation(Mutation.insert("ports", Set.of(NamedUuid.of("rtos")))));
        }

        MacAddress mac = spec.managementMac().orElseGet(() -> MacAddress.forAddress(spec.subnets().get(0).network().plus(2)));
        String addresses = mac + " " + spec.subnets().stream().map(s -> s.network().plus(2).toString())
                .collect(Collectors.joining(" "));
        Map<String, Object> management = Map.of("name", OvnNames.managementPort(node), "addresses", Set.of(addresses),
                "external_ids", owned);
        ensurePort(operations, management, switchRef, "mgmt");

        if (operations.isEmpty()) {
            return false;
        }
        nb.commit(operations);
        return true;
    }

    private void ensurePort(List<Operation> operations, Map<String, Object> columns, Object switchRef, String uuidName) {
        Optional<Row> existing = nb.named(SWITCH_PORT, (String) columns.get("name"));
        if (existing.isPresent()) {
            Northbound.update(existing.get(), columns).ifPresent(operations::add);
            return;
        }
        operations.add(Northbound.insert(SWITCH_PORT, columns, uuidName));
        operations.add(Operation.mutate(SWITCH).where(ClusterTopology.reference(switchRef))
                .mutation(Mutation.insert("ports", Set.of(NamedUuid.of(uuidName)))));
    }

    /**
     * Removes the node's switch (its ports go with it) and router port (its Gateway_Chassis with it); rows not
     * owned by ovnk for this node are left alone. False when there was nothing to remove.
     */
    boolean remove(String node) {
        List<Operation> operations = new ArrayList<>();
        nb.named(SWITCH, OvnNames.nodeSwitch(node))
                .filter(row -> OvnNames.ownedBy(row, OvnNames.TYPE_NODE) && node.equals(OvnNames.owner(row)))
                .ifPresent(row -> operations.add(Operation.delete(SWITCH).where(Condition.uuid(row.uuid()))));
        Optional<Row> rtos = nb.named(ROUTER_PORT, OvnNames.routerToSwitch(node))
                .filter(row -> OvnNames.ownedBy(row, OvnNames.TYPE_NODE) && node.equals(OvnNames.owner(row)));
        Optional<Row> router = nb.named(ROUTER, OvnNames.CLUSTER_ROUTER);
        if (rtos.isPresent() && router.isPresent()) {
            operations.add(Operation.mutate(ROUTER).where(Condition.uuid(router.get().uuid()))
                    .mutation(Mutation.delete("ports", Set.of(rtos.get().uuid()))));
        }
        nb.commit(operations);
        return !operations.isEmpty();
    }
}
