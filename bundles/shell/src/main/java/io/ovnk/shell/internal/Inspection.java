package io.ovnk.shell.internal;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.SubnetUsage;
import io.ovnk.kube.AnnotationException;
import io.ovnk.kube.L3GatewayConfig;
import io.ovnk.kube.NodeSubnetsAnnotation;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.PodNetwork;
import io.ovnk.kube.PodNetworksAnnotation;
import io.ovnk.ovsdb.Row;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * What the commands show, as records built from Kubernetes objects, IPAM usage and cached OVSDB rows: no OSGi, no
 * I/O. A malformed annotation does not stop a listing: the row says what is wrong with it.
 */
public final class Inspection {

    private Inspection() {
    }

    /** A node: its subnets, chassis, management MAC and gateway addresses as annotated; problems with those. */
    public record NodeRow(String name, List<String> subnets, String chassisId, String mgmtMac, List<String> gatewayIps,
            List<String> problems) {
    }

    /** A pod and its default-network addresses as annotated. */
    public record PodRow(String namespace, String name, String node, List<String> ips, String mac, String problem) {
    }

    /** A Service: cluster IPs and ports, node ports, and how many endpoints of its EndpointSlices are ready. */
    public record ServiceRow(String namespace, String name, String type, List<String> clusterIps, List<String> ports,
            List<String> nodePorts, int readyEndpoints) {
    }

    /** One node subnet and how many of its addresses are allocated. */
    public record SubnetRow(String node, String subnet, int allocated, int allocatable, double percent) {
    }

    /** Rows of one cached OVSDB table: the columns shown and each row's values by column. */
    public record TableRows(String database, String table, List<String> columns, List<Map<String, Object>> rows) {
    }

    public static List<NodeRow> nodes(List<Node> nodes) {
        List<NodeRow> rows = new ArrayList<>();
        for (Node node : sorted(nodes)) {
            List<String> problems = new ArrayList<>();
            List<String> subnets = read(node, OvnAnnotations.NODE_SUBNETS, NodeSubnetsAnnotation::parse, problems)
                    .map(annotation -> annotation.defaultNetwork().stream().map(Cidr::toString).toList()).orElse(List.of());
            String chassis = read(node, OvnAnnotations.NODE_CHASSIS_ID, OvnAnnotations::parseChassisId, problems).orElse("");
            String mac = read(node, OvnAnnotations.NODE_MGMT_PORT_MAC, Function.identity(), problems).orElse("");
            List<String> gateway = read(node, OvnAnnotations.L3_GATEWAY_CONFIG, L3GatewayConfig::parse, problems)
                    .map(L3GatewayConfig::defaultNetwork).map(network -> network.ipAddresses().stream()
                            .map(Cidr::toString).toList()).orElse(List.of());
            rows.add(new NodeRow(node.getMetadata().getName(), subnets, chassis, mac, gateway, problems));
        }
        return rows;
    }

    public static List<PodRow> pods(List<Pod> pods) {
        List<PodRow> rows = new ArrayList<>();
        for (Pod pod : sorted(pods)) {
            List<String> problems = new ArrayList<>();
            Optional<PodNetwork> network = read(pod, OvnAnnotations.POD_NETWORKS, PodNetworksAnnotation::parse, problems)
                    .map(PodNetworksAnnotation::defaultNetwork);
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            boolean hostNetwork = pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
            String problem = problems.isEmpty() ? (hostNetwork ? "host network" : null) : problems.get(0);
            rows.add(new PodRow(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), node == null ? "" : node,
                    network.map(n -> n.ipAddresses().stream().map(Cidr::toString).toList()).orElse(List.of()),
                    network.map(n -> n.macAddress().toString()).orElse(""), problem));
        }
        return rows;
    }

    public static List<ServiceRow> services(List<Service> services, List<EndpointSlice> slices) {
        Map<String, Set<String>> ready = new TreeMap<>();
        for (EndpointSlice slice : slices) {
            Map<String, String> labels = slice.getMetadata().getLabels();
            String service = labels == null ? null : labels.get("kubernetes.io/service-name");
            if (service == null || slice.getEndpoints() == null) {
                continue;
            }
            Set<String> addresses = ready.computeIfAbsent(slice.getMetadata().getNamespace() + "/" + service,
                    key -> new HashSet<>());
            for (Endpoint endpoint : slice.getEndpoints()) {
                // as Kubernetes says: a missing ready condition means ready
                boolean isReady = endpoint.getConditions() == null
                        || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
                if (isReady && endpoint.getAddresses() != null) {
                    addresses.addAll(endpoint.getAddresses());
                }
            }
        }
        List<ServiceRow> rows = new ArrayList<>();
        for (Service service : sorted(services)) {
            var spec = service.getSpec();
            List<String> clusterIps = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? spec.getClusterIPs()
                    : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
            List<String> ports = new ArrayList<>();
            List<String> nodePorts = new ArrayList<>();
            for (ServicePort port : spec.getPorts() == null ? List.<ServicePort>of() : spec.getPorts()) {
                String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
                ports.add(port.getPort() + "/" + protocol);
                if (port.getNodePort() != null && port.getNodePort() > 0) {
                    nodePorts.add(port.getNodePort() + "/" + protocol);
                }
            }
            String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
            rows.add(new ServiceRow(service.getMetadata().getNamespace(), service.getMetadata().getName(),
                    spec.getType() == null ? "ClusterIP" : spec.getType(), List.copyOf(clusterIps), ports, nodePorts,
                    ready.getOrDefault(key, Set.of()).size()));
        }
        return rows;
    }

    public static List<SubnetRow> subnets(List<SubnetUsage> usage) {
        return usage.stream().sorted(Comparator.comparing(SubnetUsage::node).thenComparing(u -> u.subnet().toString()))
                .map(u -> new SubnetRow(u.node(), u.subnet().toString(), u.allocated(), u.allocatable(),
                        u.allocatable() == 0 ? 0 : Math.round(1000.0 * u.allocated() / u.allocatable()) / 10.0))
                .toList();
    }

    /**
     * The rows of a cached table whose column equals the value (a filter of {@code column=value}, or
     * {@code column:key=value} for a key of a map column; none: every row). Columns empty in every row are left
     * out, {@code _uuid} comes first.
     *
     * @throws IllegalArgumentException for a filter that names no column of the table
     */
    public static TableRows table(String database, String table, List<String> schemaColumns, List<Row> rows, String filter) {
        java.util.function.Predicate<Row> keep = row -> true;
        if (filter != null) {
            int equals = filter.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("filter \"" + filter + "\": expected column=value or column:key=value");
            }
            String column = filter.substring(0, equals);
            String value = filter.substring(equals + 1);
            String key = null;
            int colon = column.indexOf(':');
            if (colon > 0) {
                key = column.substring(colon + 1);
                column = column.substring(0, colon);
            }
            if (!column.equals("_uuid") && !schemaColumns.contains(column)) {
                throw new IllegalArgumentException("filter \"" + filter + "\": " + table + " has no column " + column
                        + " (columns: " + String.join(", ", schemaColumns) + ")");
            }
            String name = column;
            String mapKey = key;
            keep = row -> matches(name.equals("_uuid") ? row.uuid() : row.get(name), mapKey, value);
        }
        List<Row> kept = rows.stream().filter(keep).sorted(Comparator.comparing(Inspection::sortKey)).toList();
        List<String> columns = new ArrayList<>(List.of("_uuid"));
        for (String column : schemaColumns) {
            if (kept.stream().anyMatch(row -> !empty(row.get(column)))) {
                columns.add(column);
            }
        }
        List<Map<String, Object>> values = new ArrayList<>();
        for (Row row : kept) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("_uuid", row.uuid().toString());
            for (String column : columns.subList(1, columns.size())) {
                value.put(column, plain(row.get(column)));
            }
            values.add(value);
        }
        return new TableRows(database, table, columns, values);
    }

    /** A value as text the way ovn-nbctl shows it: sets in brackets, maps in braces, one element bare. */
    public static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Set<?> set) {
            if (set.size() == 1) {
                return text(set.iterator().next());
            }
            return set.stream().map(Inspection::text).sorted().collect(java.util.stream.Collectors.joining(",", "[", "]"));
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().map(entry -> text(entry.getKey()) + "=" + text(entry.getValue())).sorted()
                    .collect(java.util.stream.Collectors.joining(",", "{", "}"));
        }
        if (value instanceof List<?> list) {
            return list.size() == 1 ? text(list.get(0))
                    : list.stream().map(Inspection::text).collect(java.util.stream.Collectors.joining(",", "[", "]"));
        }
        return value.toString();
    }

    private static boolean matches(Object cell, String key, String value) {
        if (key != null) {
            return cell instanceof Map<?, ?> map && map.containsKey(key) && value.equals(text(map.get(key)));
        }
        if (cell instanceof Set<?> set && set.size() != 1) {
            return set.stream().anyMatch(element -> value.equals(text(element))) || value.equals(text(cell));
        }
        return value.equals(text(cell));
    }

    private static boolean empty(Object value) {
        return value == null || value instanceof Set<?> set && set.isEmpty() || value instanceof Map<?, ?> map && map.isEmpty()
                || value instanceof String string && string.isEmpty();
    }

    /** JSON-friendly: UUIDs as strings, sets as sorted lists of their elements, maps with string keys. */
    private static Object plain(Object value) {
        if (value instanceof UUID uuid) {
            return uuid.toString();
        }
        if (value instanceof Set<?> set) {
            return set.stream().map(Inspection::plain).sorted(Comparator.comparing(Objects::toString)).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new TreeMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(plain(k)), plain(v)));
            return copy;
        }
        return value;
    }

    private static String sortKey(Row row) {
        int name = row.table().position("name");
        Object value = name < 0 ? null : row.get(name);
        return (value == null ? "" : text(value)) + "\u0000" + row.uuid();
    }

    private static <A> Optional<A> read(io.fabric8.kubernetes.api.model.HasMetadata object, String annotation,
            Function<String, A> parser, List<String> problems) {
        try {
            return OvnAnnotations.read(object, annotation, parser);
        } catch (AnnotationException e) {
            problems.add(e.getMessage());
            return Optional.empty();
        }
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> List<T> sorted(List<T> objects) {
        return objects.stream().sorted(Comparator.comparing((T object) -> Objects.toString(object.getMetadata().getNamespace(), ""))
                .thenComparing(object -> object.getMetadata().getName())).toList();
    }
}
