package io.ovnk.master.internal;

import io.ovnk.ovsdb.Row;
import java.util.Map;

/**
 * The names ovn-kubernetes gives its Northbound objects (kept, so existing tooling and habits still work) and
 * the {@code external_ids} by which ovnk knows the rows it owns: a row without them is never touched.
 */
final class OvnNames {

    static final String CLUSTER_ROUTER = "ovn_cluster_router";
    static final String JOIN_SWITCH = "join";
    static final String JOIN_ROUTER_PORT = "rtoj-" + CLUSTER_ROUTER;
    static final String JOIN_SWITCH_PORT = "jtor-" + CLUSTER_ROUTER;
    static final String CLUSTER_LB_GROUP = "clusterLBGroup";

    static final String OWNER_CONTROLLER = "k8s.ovn.org/owner-controller";
    static final String OWNER_TYPE = "k8s.ovn.org/owner-type";
    static final String OWNER = "k8s.ovn.org/name";
    static final String CONTROLLER = "ovnk";

    static final String TYPE_CLUSTER = "Cluster";
    static final String TYPE_NODE = "Node";
    static final String TYPE_POD = "Pod";
    static final String TYPE_SERVICE = "Service";

    private OvnNames() {
    }

    static String nodeSwitch(String node) {
        return node;
    }

    static String routerToSwitch(String node) {
        return "rtos-" + node;
    }

    static String switchToRouter(String node) {
        return "stor-" + node;
    }

    static String managementPort(String node) {
        return "k8s-" + node;
    }

    static String gatewayChassis(String node, String chassis) {
        return "rtos-" + node + "-" + chassis;
    }

    static String podPort(String namespace, String pod) {
        return namespace + "_" + pod;
    }

    static String loadBalancer(String namespace, String service, String protocol) {
        return "Service_" + namespace + "/" + service + "_" + protocol.toUpperCase(java.util.Locale.ROOT) + "_cluster";
    }

    /** The external_ids marking a row as ovnk's, owned by one object. */
    static Map<String, String> owned(String type, String owner) {
        return Map.of(OWNER_CONTROLLER, CONTROLLER, OWNER_TYPE, type, OWNER, owner);
    }

    static boolean ownedBy(Row row, String type) {
        Map<String, String> ids = row.map("external_ids");
        return CONTROLLER.equals(ids.get(OWNER_CONTROLLER)) && type.equals(ids.get(OWNER_TYPE));
    }

    static String owner(Row row) {
        Map<String, String> ids = row.map("external_ids");
        return ids.getOrDefault(OWNER, "");
    }
}
