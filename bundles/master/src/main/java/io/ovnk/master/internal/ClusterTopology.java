package io.ovnk.master.internal;

import static io.ovnk.master.internal.Northbound.LB_GROUP;
import static io.ovnk.master.internal.Northbound.ROUTER;
import static io.ovnk.master.internal.Northbound.ROUTER_PORT;
import static io.ovnk.master.internal.Northbound.SWITCH;
import static io.ovnk.master.internal.Northbound.SWITCH_PORT;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.Row;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide part of the Northbound, made to match whatever is there: {@code ovn_cluster_router}, the
 * {@code join} switch with {@code rtoj-}/{@code jtor-ovn_cluster_router} on the first address of each join
 * subnet, and the load balancer group through which every Service reaches every node switch and the router.
 */
final class ClusterTopology {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterTopology.class);

    private final Northbound nb;
    private final List<Cidr> joinSubnets;

    ClusterTopology(Northbound nb, List<Cidr> joinSubnets) {
        this.nb = nb;
        this.joinSubnets = List.copyOf(joinSubnets);
    }

    /** Creates or corrects what is missing or different; one transaction. Returns whether anything changed. */
    boolean ensure() {
        List<Operation> operations = new java.util.ArrayList<>();
        Map<String, String> owned = OvnNames.owned(OvnNames.TYPE_CLUSTER, "cluster");

        Optional<Row> group = nb.named(LB_GROUP, OvnNames.CLUSTER_LB_GROUP);
        Object groupRef;
        if (group.isPresent()) {
            groupRef = group.get().uuid();
        } else {
            // Load_Balancer_Group has no external_ids: it is known by its name, as ovn-kubernetes knows it
            operations.add(Northbound.insert(LB_GROUP, Map.of("name", OvnNames.CLUSTER_LB_GROUP), "group"));
            groupRef = NamedUuid.of("group");
        }

        Map<String, String> routerIds = new HashMap<>(owned);
        routerIds.put("k8s-cluster-router", "yes");
        Map<String, Object> router = Map.of("name", OvnNames.CLUSTER_ROUTER, "external_ids", routerIds,
                "options", Map.of("always_learn_from_arp_request", "false"));
        Optional<Row> existingRouter = nb.named(ROUTER, OvnNames.CLUSTER_ROUTER);
        Object routerRef;
        if (existingRouter.isPresent()) {
            routerRef = existingRouter.get().uuid();
            Northbound.update(existingRouter.get(), router).ifPresent(operations::add);
            Set<UUID> groups = existingRouter.get().set("load_balancer_group");
            if (group.isEmpty() || !groups.contains(group.get().uuid())) {
                operations.add(Operation.mutate(ROUTER).where(Condition.uuid(existingRouter.get().uuid()))
                        .mutation(Mutation.insert("load_balancer_group", Set.of(groupRef))));
            }
        } else {
            Map<String, Object> columns = new HashMap<>(router);
            columns.put("load_balancer_group", Set.of(groupRef));
            operations.add(Northbound.noneNamed(ROUTER, OvnNames.CLUSTER_ROUTER));
            operations.add(Northbound.insert(ROUTER, columns, "router"));
            routerRef = NamedUuid.of("router");
        }

        Optional<Row> join = nb.named(SWITCH, OvnNames.JOIN_SWITCH);
        Object joinRef;
        if (join.isPresent()) {
            joinRef = join.get().uuid();
        } else {
            operations.add(Northbound.noneNamed(SWITCH, OvnNames.JOIN_SWITCH));
            operations.add(Northbound.insert(SWITCH, Map.of("name", OvnNames.JOIN_SWITCH, "external_ids", owned), "join"));
            joinRef = NamedUuid.of("join");
        }

        Set<String> networks = new LinkedHashSet<>();
        for (Cidr subnet : joinSubnets) {
            networks.add(new Cidr(subnet.network().plus(1), subnet.prefixLength()).toString());
        }
        IpAddress first = joinSubnets.get(0).network().plus(1);
        Map<String, Object> routerPort = Map.of("name", OvnNames.JOIN_ROUTER_PORT,
                "mac", MacAddress.forAddress(first).toString(), "networks", networks, "external_ids", owned);
        Optional<Row> existingRouterPort = nb.named(ROUTER_PORT, OvnNames.JOIN_ROUTER_PORT);
        if (existingRouterPort.isPresent()) {
            Northbound.update(existingRouterPort.get(), routerPort).ifPresent(operations::add);
        } else {
            operations.add(Northbound.insert(ROUTER_PORT, routerPort, "rtoj"));
            operations.add(Operation.mutate(ROUTER).where(reference(routerRef))
                    .mutation(Mutation.insert("ports", Set.of(NamedUuid.of("rtoj")))));
        }

        Map<String, Object> switchPort = Map.of("name", OvnNames.JOIN_SWITCH_PORT, "type", "router",
                "addresses", Set.of("router"), "options", Map.of("router-port", OvnNames.JOIN_ROUTER_PORT),
                "external_ids", owned);
        Optional<Row> existingSwitchPort = nb.named(SWITCH_PORT, OvnNames.JOIN_SWITCH_PORT);
        if (existingSwitchPort.isPresent()) {
            Northbound.update(existingSwitchPort.get(), switchPort).ifPresent(operations::add);
        } else {
            operations.add(Northbound.insert(SWITCH_PORT, switchPort, "jtor"));
            operations.add(Operation.mutate(SWITCH).where(reference(joinRef))
                    .mutation(Mutation.insert("ports", Set.of(NamedUuid.of("jtor")))));
        }
        if (operations.isEmpty()) {
            return false;
        }
        nb.commit(operations);
        LOG.info("cluster topology: {} written ({} operations)", OvnNames.CLUSTER_ROUTER + ", " + OvnNames.JOIN_SWITCH
                + ", " + OvnNames.CLUSTER_LB_GROUP, operations.size());
        return true;
    }

    /** A condition selecting a row by UUID or, for a row inserted in this transaction, by its named UUID. */
    static Condition reference(Object ref) {
        return ref instanceof UUID uuid ? Condition.uuid(uuid) : Condition.equal("_uuid", ref);
    }
}
