package io.ovnk.gateway.internal;

import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Row;
import java.util.Locale;
import java.util.Map;

/**
 * The names ovn-kubernetes gives its gateway objects, and the {@code external_ids} by which the gateway knows its
 * own rows: owner-controller {@value #CONTROLLER}, never the master's {@code ovnk}, so the master's start-of-term
 * clean-up (which removes {@code ovnk} rows that no object backs) never touches them, and
 * {@code gateway:cleanup} touches nothing else.
 */
final class GatewayNames {

    static final String CLUSTER_ROUTER = "ovn_cluster_router";
    /** The master's port of the cluster router on the join switch. */
    static final String CLUSTER_ROUTER_JOIN_PORT = "rtoj-" + CLUSTER_ROUTER;
    static final String JOIN_SWITCH = "join";
    /** The load balancer group of the NodePort template layout (before per-router load balancers): removed. */
    static final String LEGACY_LB_GROUP = "ovnkGatewayNodePortLBGroup";

    static final String OWNER_CONTROLLER = "k8s.ovn.org/owner-controller";
    static final String OWNER_TYPE = "k8s.ovn.org/owner-type";
    static final String OWNER = "k8s.ovn.org/name";
    static final String CONTROLLER = "ovnk-gateway";

    static final String TYPE_NODE = "Node";
    /** Owner type of the NodePort template layout's load balancers (one per Service): removed. */
    static final String TYPE_SERVICE = "Service";

    static final String ROUTER = "Logical_Router";
    static final String ROUTER_PORT = "Logical_Router_Port";
    static final String SWITCH = "Logical_Switch";
    static final String SWITCH_PORT = "Logical_Switch_Port";
    static final String STATIC_ROUTE = "Logical_Router_Static_Route";
    static final String NAT = "NAT";
    static final String LOAD_BALANCER = "Load_Balancer";
    static final String LB_GROUP = "Load_Balancer_Group";
    /**
     * Has no external_ids: the gateway's rows are those on its own router ports ({@code logical_port}
     * {@code rtoj-GR_<node>}), as ovn-kubernetes knows its own by port and IP.
     */
    static final String STATIC_MAC_BINDING = "Static_MAC_Binding";
    /** Of the NodePort template layout (a variable per chassis): removed. */
    static final String TEMPLATE_VAR = "Chassis_Template_Var";

    private GatewayNames() {
    }

    static String gatewayRouter(String node) {
        return "GR_" + node;
    }

    static String routerToJoin(String node) {
        return "rtoj-" + gatewayRouter(node);
    }

    static String joinToRouter(String node) {
        return "jtor-" + gatewayRouter(node);
    }

    static String externalSwitch(String node) {
        return "ext_" + node;
    }

    static String externalToRouter(String node) {
        return "etor-" + gatewayRouter(node);
    }

    static String routerToExternal(String node) {
        return "rtoe-" + gatewayRouter(node);
    }

    /** The load balancer on {@code GR_<node>} holding every NodePort VIP of the node for one protocol. */
    static String nodePortBalancer(String node, String protocol) {
        return "Service_nodeports_" + node + "_" + protocol.toUpperCase(Locale.ROOT);
    }

    static Map<String, String> owned(String type, String owner) {
        return Map.of(OWNER_CONTROLLER, CONTROLLER, OWNER_TYPE, type, OWNER, owner);
    }

    /** Rows of this controller owned by one object (a where-clause, as OVSDB evaluates it server-side). */
    static Condition[] ownedBy(String type, String owner) {
        return new Condition[] { Condition.includes("external_ids", owned(type, owner)) };
    }

    /** Every row of this controller. */
    static Condition[] ours() {
        return new Condition[] { Condition.includes("external_ids", Map.of(OWNER_CONTROLLER, CONTROLLER)) };
    }

    static boolean isOurs(Row row) {
        return row.table().column("external_ids").isPresent()
                && CONTROLLER.equals(row.<String, String>map("external_ids").get(OWNER_CONTROLLER));
    }

    static String owner(Row row) {
        return row.<String, String>map("external_ids").getOrDefault(OWNER, "");
    }
}
