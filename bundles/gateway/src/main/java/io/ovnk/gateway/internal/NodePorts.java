package io.ovnk.gateway.internal;

import static io.ovnk.gateway.internal.GatewayNames.LB_GROUP;
import static io.ovnk.gateway.internal.GatewayNames.LOAD_BALANCER;
import static io.ovnk.gateway.internal.GatewayNames.TYPE_SERVICE;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * NodePort Services as OVN load balancer templates: per Service and protocol one {@code Load_Balancer} with
 * {@code options:template=true}, VIPs {@code ^NODEIP:<nodePort>} to the ready endpoints, in one load balancer
 * group that every gateway router carries. ovn-controller expands {@code ^NODEIP} on each chassis with that
 * chassis's {@code Chassis_Template_Var}, so the Northbound holds one row per Service and protocol, not one per
 * Service and node.
 */
final class NodePorts {

    /** The NodePort range, from {@code nodeport.range} ({@code 30000-32767}). */
    record Range(int first, int last) {
        static Range parse(String text) {
            String[] parts = text.trim().split("-");
            try {
                Range range = new Range(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[parts.length - 1].trim()));
                if (parts.length != 2 || range.first < 1 || range.last > 65535 || range.first > range.last) {
                    throw new NumberFormatException();
                }
                return range;
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("nodeport.range: \"" + text + "\" is not FIRST-LAST within 1-65535");
            }
        }

        boolean contains(int port) {
            return port >= first && port <= last;
        }

        @Override
        public String toString() {
            return first + "-" + last;
        }
    }

    /** One template load balancer. */
    record Balancer(String name, String protocol, Map<String, String> vips, Map<String, String> options) {
    }

    private final Northbound nb;

    NodePorts(Northbound nb) {
        this.nb = nb;
    }

    /** Creates the gateway routers' load balancer group if it is not there. */
    void ensureGroup() {
        if (nb.select(List.of(Northbound.named(LB_GROUP, GatewayNames.NODEPORT_LB_GROUP))).get(0).isEmpty()) {
            nb.commit(List.of(Northbound.insert(LB_GROUP, Map.of("name", GatewayNames.NODEPORT_LB_GROUP), "group")));
        }
    }

    /**
     * The template load balancers a Service calls for: none unless it is of type NodePort or LoadBalancer with
     * node ports. A node port outside the range or a protocol OVN does not balance is an
     * IllegalArgumentException naming the field.
     */
    static List<Balancer> balancers(Service service, List<EndpointSlice> slices, Range range) {
        String type = service.getSpec().getType();
        if (!"NodePort".equals(type) && !"LoadBalancer".equals(type)) {
            return List.of();
        }
        Map<String, Map<String, String>> vipsByProtocol = new TreeMap<>();
        List<ServicePort> ports = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort port = ports.get(i);
            if (port.getNodePort() == null || port.getNodePort() == 0) {
                continue; // LoadBalancer with allocateLoadBalancerNodePorts=false
            }
            String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
            if (!Set.of("TCP", "UDP", "SCTP").contains(protocol)) {
                throw new IllegalArgumentException("spec.ports[" + i + "].protocol: \"" + protocol
                        + "\" is not TCP, UDP or SCTP");
            }
            if (!range.contains(port.getNodePort())) {
                throw new IllegalArgumentException("spec.ports[" + i + "].nodePort: " + port.getNodePort()
                        + " is outside the NodePort range " + range);
            }
            Set<String> backends = new TreeSet<>();
            for (EndpointSlice slice : slices) {
                Integer target = targetPort(slice, port, protocol);
                if (!"IPv4".equals(slice.getAddressType()) || target == null || slice.getEndpoints() == null) {
                    continue;
                }
                for (Endpoint endpoint : slice.getEndpoints()) {
                    if (endpoint.getConditions() != null && Boolean.FALSE.equals(endpoint.getConditions().getReady())) {
                        continue;
                    }
                    for (String address : endpoint.getAddresses()) {
                        IpAddress ip = IpAddress.parse(address);
                        if (ip.family() == Family.IPV4) {
                            backends.add(ip + ":" + target);
                        }
                    }
                }
            }
            vipsByProtocol.computeIfAbsent(protocol.toLowerCase(Locale.ROOT), p -> new TreeMap<>())
                    .put("^" + GatewayNames.NODE_IP_VAR + ":" + port.getNodePort(), String.join(",", backends));
        }
        List<Balancer> balancers = new ArrayList<>();
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        vipsByProtocol.forEach((protocol, vips) -> {
            Map<String, String> options = new HashMap<>(Map.of("template", "true", "address-family", "ipv4"));
            if (vips.values().stream().anyMatch(String::isEmpty)) {
                options.put("reject", "true");
            }
            balancers.add(new Balancer(GatewayNames.nodePortBalancer(namespace, name, protocol), protocol, vips, options));
        });
        return balancers;
    }

    private static Integer targetPort(EndpointSlice slice, ServicePort port, String protocol) {
        if (slice.getPorts() == null) {
            return null;
        }
        for (EndpointPort candidate : slice.getPorts()) {
            String candidateProtocol = candidate.getProtocol() == null ? "TCP" : candidate.getProtocol();
            if (Objects.equals(Objects.toString(candidate.getName(), ""), Objects.toString(port.getName(), ""))
                    && candidateProtocol.equals(protocol) && candidate.getPort() != null) {
                return candidate.getPort();
            }
        }
        return null;
    }

    /** Makes the Service's template load balancers match; false when they already did. */
    boolean ensure(String namespace, String name, List<Balancer> wanted) {
        String owner = namespace + "/" + name;
        List<List<Row>> snapshot = nb.select(List.of(
                Northbound.select(LOAD_BALANCER, GatewayNames.ownedBy(TYPE_SERVICE, owner)),
                Northbound.named(LB_GROUP, GatewayNames.NODEPORT_LB_GROUP)));
        if (wanted.isEmpty() && snapshot.get(0).isEmpty()) {
            return false;
        }
        Row group = snapshot.get(1).stream().findFirst().orElseThrow(() ->
                new IllegalStateException(GatewayNames.NODEPORT_LB_GROUP + " does not exist (yet)"));
        Map<String, String> owned = GatewayNames.owned(TYPE_SERVICE, owner);
        List<Operation> ops = new ArrayList<>();
        Set<String> wantedNames = wanted.stream().map(Balancer::name).collect(Collectors.toSet());
        int named = 0;
        for (Balancer balancer : wanted) {
            Map<String, Object> columns = Map.of("name", balancer.name(), "protocol", Set.of(balancer.protocol()),
                    "vips", balancer.vips(), "options", balancer.options(), "external_ids", owned);
            Optional<Row> existing = snapshot.get(0).stream().filter(r -> balancer.name().equals(r.string("name"))).findFirst();
            if (existing.isPresent()) {
                Northbound.update(existing.get(), columns).ifPresent(ops::add);
                if (!group.set("load_balancer").contains(existing.get().uuid())) {
                    ops.add(Operation.mutate(LB_GROUP).where(Condition.uuid(group.uuid()))
                            .mutation(Mutation.insert("load_balancer", Set.of(existing.get().uuid()))));
                }
            } else {
                String uuidName = "lb" + named++;
                ops.add(Northbound.noneNamed(LOAD_BALANCER, balancer.name()));
                ops.add(Northbound.insert(LOAD_BALANCER, columns, uuidName));
                ops.add(Operation.mutate(LB_GROUP).where(Condition.uuid(group.uuid()))
                        .mutation(Mutation.insert("load_balancer", Set.of(NamedUuid.of(uuidName)))));
            }
        }
        for (Row stale : snapshot.get(0)) {
            if (!wantedNames.contains(stale.string("name"))) {
                ops.add(Operation.mutate(LB_GROUP).where(Condition.uuid(group.uuid()))
                        .mutation(Mutation.delete("load_balancer", Set.of(stale.uuid()))));
                ops.add(Operation.delete(LOAD_BALANCER).where(Condition.uuid(stale.uuid())));
            }
        }
        nb.commit(ops);
        return !ops.isEmpty();
    }

    /** Removes the Service's template load balancers; false when it had none. */
    boolean remove(String namespace, String name) {
        return ensure(namespace, name, List.of());
    }

    /** Services that have template load balancers in the Northbound ({@code namespace/name}). */
    Set<String> services() {
        return nb.select(List.of(Northbound.select(LOAD_BALANCER, GatewayNames.ours()))).get(0).stream()
                .filter(row -> TYPE_SERVICE.equals(row.map("external_ids").get(GatewayNames.OWNER_TYPE)))
                .map(GatewayNames::owner).collect(Collectors.toSet());
    }
}
