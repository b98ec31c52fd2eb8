package io.ovnk.gateway.internal;

import static io.ovnk.gateway.internal.GatewayNames.JOIN_SWITCH;
import static io.ovnk.gateway.internal.GatewayNames.LOAD_BALANCER;
import static io.ovnk.gateway.internal.GatewayNames.NAT;
import static io.ovnk.gateway.internal.GatewayNames.ROUTER;
import static io.ovnk.gateway.internal.GatewayNames.ROUTER_PORT;
import static io.ovnk.gateway.internal.GatewayNames.STATIC_MAC_BINDING;
import static io.ovnk.gateway.internal.GatewayNames.STATIC_ROUTE;
import static io.ovnk.gateway.internal.GatewayNames.SWITCH;
import static io.ovnk.gateway.internal.GatewayNames.SWITCH_PORT;
import static io.ovnk.gateway.internal.GatewayNames.TYPE_NODE;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One node's gateway in the Northbound (shared gateway mode, as ovn-kubernetes lays it out): the router
 * {@code GR_<node>} bound to the node's chassis, joined to the cluster router through {@code rtoj-GR_<node>} /
 * {@code jtor-GR_<node>} on the {@code join} switch, reaching the physical network through {@code ext_<node>}
 * (a localnet port and {@code etor-GR_<node>} / {@code rtoe-GR_<node>}); routes (cluster subnets back via the
 * cluster router, default via the next hop; on the cluster router a source route of the node subnet to this GR),
 * SNAT of the cluster subnets to the node IP, and (when asked) the node's NodePort load balancers, one per protocol.
 * Everything in one transaction per node, computed from a snapshot read in one transaction.
 */
final class GatewayRouters {

    private final Northbound nb;
    private final List<Cidr> clusterSubnets;
    private final String physnet;

    GatewayRouters(Northbound nb, List<Cidr> clusterSubnets, String physnet) {
        this.nb = nb;
        this.clusterSubnets = List.copyOf(clusterSubnets);
        this.physnet = physnet;
    }

    /**
     * Makes the node's gateway rows match; false when they already did. {@code balancers} is what the node's
     * NodePort load balancers hold (protocol to VIP to backends; a protocol not in it has none), or empty to leave
     * them as they are.
     */
    boolean ensure(GatewaySpec spec, Cidr joinAddress, Optional<Map<String, Map<String, String>>> balancers) {
        String node = spec.node();
        Condition[] mine = GatewayNames.ownedBy(TYPE_NODE, node);
        List<Operation> selects = new ArrayList<>(List.of(
                Northbound.select(ROUTER, mine), Northbound.select(ROUTER_PORT, mine), Northbound.select(SWITCH, mine),
                Northbound.select(SWITCH_PORT, mine), Northbound.select(STATIC_ROUTE, mine), Northbound.select(NAT, mine),
                Northbound.named(ROUTER, GatewayNames.CLUSTER_ROUTER), Northbound.named(SWITCH, JOIN_SWITCH),
                Northbound.named(ROUTER_PORT, GatewayNames.CLUSTER_ROUTER_JOIN_PORT),
                staticMacBindings(GatewayNames.routerToJoin(node))));
        if (balancers.isPresent()) {
            selects.add(Northbound.select(LOAD_BALANCER, mine));
        }
        List<List<Row>> snapshot = nb.select(selects);
        Row clusterRouter = snapshot.get(6).stream().findFirst().orElseThrow(() ->
                new IllegalStateException(GatewayNames.CLUSTER_ROUTER + " does not exist (yet): the master writes it"));
        Row join = snapshot.get(7).stream().findFirst().orElseThrow(() ->
                new IllegalStateException("switch " + JOIN_SWITCH + " does not exist (yet): the master writes it"));
        Row clusterRouterJoinPort = snapshot.get(8).stream().findFirst().orElseThrow(() -> new IllegalStateException(
                "port " + GatewayNames.CLUSTER_ROUTER_JOIN_PORT + " does not exist (yet): the master writes it"));
        List<Operation> ops = new ArrayList<>();
        Map<String, String> owned = GatewayNames.owned(TYPE_NODE, node);
        IpAddress nodeIp = spec.nodeIp();

        // the gateway router
        Map<String, String> routerIds = new HashMap<>(owned);
        routerIds.put("physical_ip", nodeIp.toString());
        routerIds.put("physical_ips", spec.addresses().stream().map(c -> c.address().toString())
                .collect(Collectors.joining(",")));
        Map<String, Object> router = new HashMap<>(Map.of("name", GatewayNames.gatewayRouter(node),
                "options", Map.of("chassis", spec.chassis(), "lb_force_snat_ip", "router_ip", "snat-ct-zone", "0",
                        "always_learn_from_arp_request", "false", "dynamic_neigh_routers", "true"),
                "external_ids", routerIds));
        Optional<Row> existingRouter = byName(snapshot.get(0), GatewayNames.gatewayRouter(node));
        Object routerRef;
        Set<UUID> routerPorts = Set.of();
        Set<UUID> routerRoutes = Set.of();
        Set<UUID> routerNats = Set.of();
        Set<UUID> routerBalancers = Set.of();
        if (existingRouter.isPresent()) {
            routerRef = existingRouter.get().uuid();
            routerPorts = existingRouter.get().set("ports");
            routerRoutes = existingRouter.get().set("static_routes");
            routerNats = existingRouter.get().set("nat");
            routerBalancers = existingRouter.get().set("load_balancer");
            Northbound.update(existingRouter.get(), router).ifPresent(ops::add);
        } else {
            ops.add(Northbound.noneNamed(ROUTER, GatewayNames.gatewayRouter(node)));
            ops.add(Northbound.insert(ROUTER, router, "gr"));
            routerRef = NamedUuid.of("gr");
        }

        // its ports: to the join switch and to the external switch
        Map<String, Map<String, Object>> ports = new LinkedHashMap<>();
        ports.put(GatewayNames.routerToJoin(node), Map.of("name", GatewayNames.routerToJoin(node),
                "mac", MacAddress.forAddress(joinAddress.address()).toString(), "networks", Set.of(joinAddress.toString()),
                "external_ids", owned));
        Map<String, String> externalIds = new HashMap<>(owned);
        externalIds.put("gateway-physical-ip", "yes");
        ports.put(GatewayNames.routerToExternal(node), Map.of("name", GatewayNames.routerToExternal(node),
                "mac", spec.mac().toString(), "networks", spec.addresses().stream().map(Cidr::toString)
                        .collect(Collectors.toSet()), "external_ids", externalIds));
        children(ops, ROUTER, routerRef, "ports", ROUTER_PORT, snapshot.get(1), routerPorts, ports,
                row -> row.string("name"), "lrp");

        // routes on the GR: cluster subnets back through the cluster router, default route out
        IpAddress clusterRouterJoin = joinAddress.toNetwork().network().plus(1);
        Map<String, Map<String, Object>> routes = new LinkedHashMap<>();
        for (Cidr cluster : clusterSubnets) {
            if (cluster.family() == Family.IPV4) {
                route(routes, cluster.toString(), clusterRouterJoin.toString(), "", "", owned);
            }
        }
        spec.nextHops().stream().filter(hop -> hop.family() == Family.IPV4).findFirst().ifPresent(hop ->
                route(routes, "0.0.0.0/0", hop.toString(), "", GatewayNames.routerToExternal(node), owned));
        children(ops, ROUTER, routerRef, "static_routes", STATIC_ROUTE, snapshot.get(4), routerRoutes, routes,
                GatewayRouters::routeKey, "gr_route");

        // the cluster router's MAC on the join switch, known to the GR without ARP. With dynamic_neigh_routers the GR
        // has no flow for its neighbour routers, so the first packet towards the cluster subnets waited for ARP: on
        // OVN 23.03 ovn-controller re-injects such a packet into the egress pipeline without its conntrack state, and
        // for a NodePort SYN (already DNATed in ingress) the egress ct_dnat then commits a second connection in the
        // DNAT zone, whose source port conntrack remaps to keep it apart from the load balancer's; the backend's
        // SYN-ACK is then reverse-NATed through that connection, leaves without un-DNAT, and the first connection
        // from an external host is reset. One row per node, where dynamic_neigh_routers=false would give each GR a
        // flow per router on the join switch.
        Map<String, Map<String, Object>> bindings = Map.of(clusterRouterJoin.toString(), Map.of(
                "logical_port", GatewayNames.routerToJoin(node), "ip", clusterRouterJoin.toString(),
                "mac", clusterRouterJoinPort.string("mac"), "override_dynamic_mac", true));
        roots(ops, STATIC_MAC_BINDING, snapshot.get(9), bindings, row -> row.string("ip"), "smb");

        // SNAT of the cluster subnets to the node IP
        Map<String, Map<String, Object>> nats = new LinkedHashMap<>();
        for (Cidr cluster : clusterSubnets) {
            if (cluster.family() == Family.IPV4) {
                Map<String, Object> nat = Map.of("type", "snat", "external_ip", nodeIp.toString(),
                        "logical_ip", cluster.toString(), "external_ids", owned);
                nats.put(natKey(nat), nat);
            }
        }
        children(ops, ROUTER, routerRef, "nat", NAT, snapshot.get(5), routerNats, nats, GatewayRouters::natKey, "nat");

        // the source route on the cluster router: this node's pods leave through this GR
        Map<String, Map<String, Object>> sourceRoutes = new LinkedHashMap<>();
        for (Cidr subnet : spec.nodeSubnets()) {
            if (subnet.family() == Family.IPV4) {
                route(sourceRoutes, subnet.toString(), joinAddress.address().toString(), "src-ip", "", owned);
            }
        }
        children(ops, ROUTER, clusterRouter.uuid(), "static_routes", STATIC_ROUTE, snapshot.get(4),
                clusterRouter.set("static_routes"), sourceRoutes, GatewayRouters::routeKey, "src_route");

        // jtor on the master's join switch
        Map<String, Map<String, Object>> joinPorts = Map.of(GatewayNames.joinToRouter(node), Map.of(
                "name", GatewayNames.joinToRouter(node), "type", "router", "addresses", Set.of("router"),
                "options", Map.of("router-port", GatewayNames.routerToJoin(node)), "external_ids", owned));
        children(ops, SWITCH, join.uuid(), "ports", SWITCH_PORT, snapshot.get(3), join.set("ports"), joinPorts,
                row -> row.string("name"), "jtor");

        // the external switch: localnet port and the router's peer
        Map<String, Object> external = Map.of("name", GatewayNames.externalSwitch(node), "external_ids", owned);
        Optional<Row> existingSwitch = byName(snapshot.get(2), GatewayNames.externalSwitch(node));
        Object switchRef;
        Set<UUID> switchPorts = Set.of();
        if (existingSwitch.isPresent()) {
            switchRef = existingSwitch.get().uuid();
            switchPorts = existingSwitch.get().set("ports");
            Northbound.update(existingSwitch.get(), external).ifPresent(ops::add);
        } else {
            ops.add(Northbound.noneNamed(SWITCH, GatewayNames.externalSwitch(node)));
            ops.add(Northbound.insert(SWITCH, external, "ext"));
            switchRef = NamedUuid.of("ext");
        }
        Map<String, Map<String, Object>> externalPorts = new LinkedHashMap<>();
        Map<String, Object> localnet = new HashMap<>(Map.of("name", spec.interfaceId(), "type", "localnet",
                "addresses", Set.of("unknown"), "options", Map.of("network_name", physnet), "external_ids", owned,
                "tag", spec.vlan() > 0 ? Set.of((long) spec.vlan()) : Set.of()));
        externalPorts.put(spec.interfaceId(), localnet);
        externalPorts.put(GatewayNames.externalToRouter(node), Map.of("name", GatewayNames.externalToRouter(node),
                "type", "router", "addresses", Set.of("router"), "options", Map.of("router-port",
                        GatewayNames.routerToExternal(node), "nat-addresses", "router", "exclude-lb-vips-from-garp", "true"),
                "external_ids", owned));
        children(ops, SWITCH, switchRef, "ports", SWITCH_PORT, snapshot.get(3), switchPorts, externalPorts,
                row -> row.string("name"), "extp");

        // NodePorts: a load balancer per protocol holding every VIP of this node
        if (balancers.isPresent()) {
            nodePortBalancers(ops, node, routerRef, routerBalancers, snapshot.get(10), balancers.get());
        }

        nb.commit(ops);
        return !ops.isEmpty();
    }

    /**
     * The node's NodePort load balancers made to hold exactly {@code balancers}: rows updated whole (the caller
     * excludes Service mutations meanwhile), missing ones inserted and attached to the router, the others
     * detached and deleted. The router's {@code load_balancer} is mutated, never set: other writers' entries stay.
     */
    private static void nodePortBalancers(List<Operation> ops, String node, Object routerRef, Set<UUID> inRouter,
            List<Row> existing, Map<String, Map<String, String>> balancers) {
        Map<String, Row> byName = new HashMap<>();
        existing.forEach(row -> byName.put(row.string("name"), row));
        int i = 0;
        for (Map.Entry<String, Map<String, String>> protocol : balancers.entrySet()) {
            Map<String, Object> columns = NodePorts.balancer(node, protocol.getKey(), protocol.getValue());
            Row row = byName.remove((String) columns.get("name"));
            if (row != null) {
                Northbound.update(row, columns).ifPresent(ops::add);
                if (!inRouter.contains(row.uuid())) {
                    ops.add(Operation.mutate(ROUTER).where(reference(routerRef))
                            .mutation(Mutation.insert("load_balancer", Set.of(row.uuid()))));
                }
            } else {
                String uuidName = "nplb" + i++;
                ops.add(Northbound.noneNamed(LOAD_BALANCER, (String) columns.get("name")));
                ops.add(Northbound.insert(LOAD_BALANCER, columns, uuidName));
                ops.add(Operation.mutate(ROUTER).where(reference(routerRef))
                        .mutation(Mutation.insert("load_balancer", Set.of(NamedUuid.of(uuidName)))));
            }
        }
        for (Row stale : byName.values()) {
            if (inRouter.contains(stale.uuid())) {
                ops.add(Operation.mutate(ROUTER).where(reference(routerRef))
                        .mutation(Mutation.delete("load_balancer", Set.of(stale.uuid()))));
            }
            ops.add(Operation.delete(LOAD_BALANCER).where(Condition.uuid(stale.uuid())));
        }
    }

    private static void route(Map<String, Map<String, Object>> routes, String prefix, String nexthop, String policy,
            String outputPort, Map<String, String> owned) {
        Map<String, Object> route = new HashMap<>(Map.of("ip_prefix", prefix, "nexthop", nexthop, "external_ids", owned,
                "policy", policy.isEmpty() ? Set.of() : Set.of(policy),
                "output_port", outputPort.isEmpty() ? Set.of() : Set.of(outputPort)));
        routes.put(routeKey(route::get), route);
    }

    private static String routeKey(Row row) {
        return routeKey(row::get);
    }

    private static String routeKey(Function<String, Object> column) {
        return column.apply("policy") + "|" + column.apply("ip_prefix") + "|" + column.apply("nexthop") + "|"
                + column.apply("output_port");
    }

    private static String natKey(Row row) {
        return natKey(Map.of("type", row.get("type"), "external_ip", row.get("external_ip"),
                "logical_ip", row.get("logical_ip")));
    }

    private static String natKey(Map<String, Object> nat) {
        return nat.get("type") + "|" + nat.get("external_ip") + "|" + nat.get("logical_ip");
    }

    /**
     * Makes the parent's children in {@code column} that this node owns match {@code desired} (by key): matching
     * rows updated, missing ones inserted into the parent, the others taken out of it (the child tables are not
     * root tables: a row no parent refers to is removed by the database).
     */
    private static void children(List<Operation> ops, String parentTable, Object parentRef, String column,
            String table, List<Row> owned, Set<UUID> inParent, Map<String, Map<String, Object>> desired,
            Function<Row, String> key, String uuidPrefix) {
        Map<String, Map<String, Object>> missing = new LinkedHashMap<>(desired);
        for (Row row : owned) {
            if (!inParent.contains(row.uuid())) {
                continue;
            }
            Map<String, Object> wanted = missing.remove(key.apply(row));
            if (wanted != null) {
                Northbound.update(row, wanted).ifPresent(ops::add);
            } else {
                ops.add(Operation.mutate(parentTable).where(reference(parentRef))
                        .mutation(Mutation.delete(column, Set.of(row.uuid()))));
            }
        }
        int i = 0;
        for (Map<String, Object> columns : missing.values()) {
            String uuidName = uuidPrefix + i++;
            ops.add(Northbound.insert(table, columns, uuidName));
            ops.add(Operation.mutate(parentTable).where(reference(parentRef))
                    .mutation(Mutation.insert(column, Set.of(NamedUuid.of(uuidName)))));
        }
    }

    /** Rows of a root table made to match {@code desired} (by key): updated, inserted, the others deleted. */
    private static void roots(List<Operation> ops, String table, List<Row> existing,
            Map<String, Map<String, Object>> desired, Function<Row, String> key, String uuidPrefix) {
        Map<String, Map<String, Object>> missing = new LinkedHashMap<>(desired);
        for (Row row : existing) {
            Map<String, Object> wanted = missing.remove(key.apply(row));
            if (wanted != null) {
                Northbound.update(row, wanted).ifPresent(ops::add);
            } else {
                ops.add(Operation.delete(table).where(Condition.uuid(row.uuid())));
            }
        }
        int i = 0;
        for (Map<String, Object> columns : missing.values()) {
            ops.add(Northbound.insert(table, columns, uuidPrefix + i++));
        }
    }

    /** The static MAC bindings on a router port (the table has no external_ids: the port names the owner). */
    static Operation staticMacBindings(String routerPort) {
        return Operation.select(STATIC_MAC_BINDING).where(Condition.equal("logical_port", routerPort));
    }

    static Condition reference(Object ref) {
        return ref instanceof UUID uuid ? Condition.uuid(uuid) : Condition.equal("_uuid", ref);
    }

    private static Optional<Row> byName(List<Row> rows, String name) {
        return rows.stream().filter(row -> name.equals(row.string("name"))).findFirst();
    }

    /** The join addresses held by gateway routers now in the Northbound, by node. */
    Map<String, Cidr> joinAddresses() {
        Map<String, Cidr> held = new HashMap<>();
        for (Row port : nb.select(List.of(Northbound.select(ROUTER_PORT, GatewayNames.ours()))).get(0)) {
            String node = GatewayNames.owner(port);
            if (!port.string("name").equals(GatewayNames.routerToJoin(node))) {
                continue;
            }
            for (Object network : port.set("networks")) {
                Cidr cidr = Cidr.parse((String) network);
                if (cidr.family() == Family.IPV4) {
                    held.put(node, cidr);
                }
            }
        }
        return held;
    }

    /** Nodes that have gateway rows in the Northbound. */
    Set<String> nodes() {
        List<List<Row>> rows = nb.select(List.of(Northbound.select(ROUTER, GatewayNames.ours()),
                Northbound.select(SWITCH, GatewayNames.ours()), Northbound.select(LOAD_BALANCER, GatewayNames.ours()),
                Northbound.select(STATIC_ROUTE, GatewayNames.ours())));
        return rows.stream().flatMap(List::stream).filter(row -> TYPE_NODE.equals(row.map("external_ids")
                .get(GatewayNames.OWNER_TYPE))).map(GatewayNames::owner).collect(Collectors.toSet());
    }

    /** Removes every row the node's gateway owns; false when there was none. */
    boolean remove(String node) {
        Condition[] mine = GatewayNames.ownedBy(TYPE_NODE, node);
        List<Row> rows = nb.select(List.of(Northbound.select(ROUTER, mine), Northbound.select(ROUTER_PORT, mine),
                Northbound.select(SWITCH, mine), Northbound.select(SWITCH_PORT, mine), Northbound.select(STATIC_ROUTE, mine),
                Northbound.select(NAT, mine), Northbound.select(LOAD_BALANCER, mine),
                staticMacBindings(GatewayNames.routerToJoin(node)))).stream().flatMap(List::stream).toList();
        if (rows.isEmpty()) {
            return false;
        }
        nb.commit(Removal.operations(nb, rows));
        return true;
    }
}
