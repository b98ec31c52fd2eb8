package io.ovnk.master.internal;

import static io.ovnk.master.internal.Northbound.LB_GROUP;
import static io.ovnk.master.internal.Northbound.LOAD_BALANCER;

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

/**
 * A Service as OVN load balancers: one per protocol, named {@code Service_<ns>/<name>_<PROTO>_cluster}, each VIP
 * {@code clusterIP:port} mapped to the ready endpoints of the Service's EndpointSlices, reached from every node
 * switch and the cluster router through the cluster load balancer group. {@code options:reject} while a VIP has
 * no endpoint; {@code affinity_timeout} for ClientIP session affinity. Headless Services have none.
 */
final class ServiceBalancers {

    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /** The load balancers a Service should have, by name. */
    record Balancer(String name, String protocol, Map<String, String> vips, Map<String, String> options) {
    }

    private final Northbound nb;

    ServiceBalancers(Northbound nb) {
        this.nb = nb;
    }

    /**
     * What the Service and its slices call for. An invalid port (none, out of range, a protocol OVN does not
     * balance) is an IllegalArgumentException naming the field.
     */
    static List<Balancer> balancers(Service service, List<EndpointSlice> slices) {
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        List<String> clusterIps = new ArrayList<>();
        if (service.getSpec().getClusterIPs() != null && !service.getSpec().getClusterIPs().isEmpty()) {
            clusterIps.addAll(service.getSpec().getClusterIPs());
        } else if (service.getSpec().getClusterIP() != null) {
            clusterIps.add(service.getSpec().getClusterIP());
        }
        clusterIps.removeIf(ip -> ip == null || ip.isEmpty() || ip.equals("None"));
        if (clusterIps.isEmpty()) {
            return List.of(); // headless, or not yet given an address
        }
        Map<String, Map<String, String>> vipsByProtocol = new TreeMap<>();
        List<ServicePort> ports = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort port = ports.get(i);
            String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
            if (!Set.of("TCP", "UDP", "SCTP").contains(protocol)) {
                throw new IllegalArgumentException("spec.ports[" + i + "].protocol: \"" + protocol
                        + "\" is not TCP, UDP or SCTP");
            }
            if (port.getPort() == null || port.getPort() < 1 || port.getPort() > 65535) {
                throw new IllegalArgumentException("spec.ports[" + i + "].port: " + port.getPort()
                        + " is not a port number (1-65535)");
            }
            for (String clusterIp : clusterIps) {
                IpAddress vip;
                try {
                    vip = IpAddress.parse(clusterIp);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("spec.clusterIPs: " + e.getMessage(), e);
                }
                Set<String> backends = new TreeSet<>();
                for (EndpointSlice slice : slices) {
                    if (!Objects.equals(slice.getAddressType(), vip.family() == Family.IPV4 ? "IPv4" : "IPv6")) {
                        continue;
                    }
                    Integer target = targetPort(slice, port, protocol);
                    if (target == null || slice.getEndpoints() == null) {
                        continue;
                    }
                    for (Endpoint endpoint : slice.getEndpoints()) {
                        if (endpoint.getConditions() != null && Boolean.FALSE.equals(endpoint.getConditions().getReady())) {
                            continue;
                        }
                        for (String address : endpoint.getAddresses()) {
                            backends.add(hostPort(IpAddress.parse(address), target));
                        }
                    }
                }
                vipsByProtocol.computeIfAbsent(protocol.toLowerCase(Locale.ROOT), p -> new TreeMap<>())
                        .put(hostPort(vip, port.getPort()), String.join(",", backends));
            }
        }
        List<Balancer> balancers = new ArrayList<>();
        vipsByProtocol.forEach((protocol, vips) -> {
            Map<String, String> options = new HashMap<>();
            if (vips.values().stream().anyMatch(String::isEmpty)) {
                options.put("reject", "true");
            }
            if ("ClientIP".equals(service.getSpec().getSessionAffinity())) {
                Integer timeout = service.getSpec().getSessionAffinityConfig() != null
                        && service.getSpec().getSessionAffinityConfig().getClientIP() != null
                        ? service.getSpec().getSessionAffinityConfig().getClientIP().getTimeoutSeconds() : null;
                options.put("affinity_timeout", Integer.toString(timeout == null ? 10800 : timeout));
            }
            balancers.add(new Balancer(OvnNames.loadBalancer(namespace, name, protocol), protocol, vips, options));
        });
        return balancers;
    }

    private static Integer targetPort(EndpointSlice slice, ServicePort port, String protocol) {
        if (slice.getPorts() == null) {
            return null;
        }
        for (EndpointPort candidate : slice.getPorts()) {
            String candidateProtocol = candidate.getProtocol() == null ? "TCP" : candidate.getProtocol();
            if (Objects.equals(nullToEmpty(candidate.getName()), nullToEmpty(port.getName()))
                    && candidateProtocol.equals(protocol) && candidate.getPort() != null) {
                return candidate.getPort();
            }
        }
        return null;
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }

    static String hostPort(IpAddress address, int port) {
        return address.family() == Family.IPV4 ? address + ":" + port : "[" + address + "]:" + port;
    }

    /** Makes the Service's load balancers match; false when they already did. */
    boolean ensure(String namespace, String name, List<Balancer> wanted) {
        Row group = nb.named(LB_GROUP, OvnNames.CLUSTER_LB_GROUP)
                .orElseThrow(() -> new IllegalStateException(OvnNames.CLUSTER_LB_GROUP + " does not exist (yet)"));
        String owner = namespace + "/" + name;
        Map<String, String> owned = OvnNames.owned(OvnNames.TYPE_SERVICE, owner);
        List<Operation> operations = new ArrayList<>();
        Set<String> wantedNames = new TreeSet<>();
        int named = 0;
        for (Balancer balancer : wanted) {
            wantedNames.add(balancer.name());
            Map<String, Object> columns = Map.of("name", balancer.name(), "protocol", Set.of(balancer.protocol()),
                    "vips", balancer.vips(), "options", balancer.options(), "external_ids", owned);
            Optional<Row> existing = nb.named(LOAD_BALANCER, balancer.name());
            if (existing.isPresent()) {
                Northbound.update(existing.get(), columns).ifPresent(operations::add);
                if (!group.set("load_balancer").contains(existing.get().uuid())) {
                    operations.add(Operation.mutate(LB_GROUP).where(Condition.uuid(group.uuid()))
                            .mutation(Mutation.insert("load_balancer", Set.of(existing.get().uuid()))));
                }
            } else {
                String uuidName = "lb" + named++;
                operations.add(Northbound.noneNamed(LOAD_BALANCER, balancer.name()));
                operations.add(Northbound.insert(LOAD_BALANCER, columns, uuidName));
                operations.add(Operation.mutate(LB_GROUP).where(Condition.uuid(group.uuid()))
                        .mutation(Mutation.insert("load_balancer", Set.of(NamedUuid.of(uuidName)))));
            }
        }
        for (Row stale : ownedBy(owner)) {
            if (!wantedNames.contains(stale.string("name"))) {
                operations.add(Operation.delete(LOAD_BALANCER).where(Condition.uuid(stale.uuid())));
            }
        }
        nb.commit(operations);
        return !operations.isEmpty();
    }

    /** Removes every load balancer of the Service; false when there was none. */
    boolean remove(String namespace, String name) {
        List<Operation> operations = new ArrayList<>();
        for (Row row : ownedBy(namespace + "/" + name)) {
            operations.add(Operation.delete(LOAD_BALANCER).where(Condition.uuid(row.uuid())));
        }
        nb.commit(operations);
        return !operations.isEmpty();
    }

    private List<Row> ownedBy(String owner) {
        return nb.owned(LOAD_BALANCER, OvnNames.TYPE_SERVICE).stream().filter(row -> owner.equals(OvnNames.owner(row))).toList();
    }
}
