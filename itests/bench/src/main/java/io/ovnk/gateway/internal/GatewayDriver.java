package io.ovnk.gateway.internal;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import io.ovnk.ovsdb.OvsdbClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's Northbound writers for the benchmark in plain Java: they are private to the gateway bundle, and
 * this class shares their package on the benchmark's plain class path.
 */
public final class GatewayDriver {

    private final GatewayRouters routers;
    private final NodePorts nodePorts;

    public GatewayDriver(OvsdbClient nb) {
        Northbound northbound = new Northbound(nb, Duration.ofSeconds(60));
        this.routers = new GatewayRouters(northbound, List.of(Cidr.parse("10.128.0.0/14")), "physnet");
        this.nodePorts = new NodePorts(northbound);
    }

    /** Node {@code i}'s gateway router, on chassis {@code chassis-i}, node IP 172.30.(i/250).(i%250+2). */
    public void gatewayRouter(int i) {
        String ip = "172.30." + (i / 250) + "." + (i % 250 + 2);
        GatewaySpec spec = new GatewaySpec("node" + i, "chassis-" + i, "br-ex_node" + i,
                MacAddress.forAddress(IpAddress.parse(ip)), List.of(Cidr.parse(ip + "/16")),
                List.of(IpAddress.parse("172.30.255.254")), 0, List.of(Cidr.parse("10.128." + (2 * i) + ".0/23")), true);
        Cidr join = Cidr.parse("100.64.0." + (i + 2) + "/16");
        nodePorts.node(spec.node(), Optional.of(spec.nodeIp()), balancers -> routers.ensure(spec, join, balancers));
    }

    /** Programs one NodePort Service as the gateway does (one transaction of VIP mutations on every router's LB). */
    public void service(Service service, List<EndpointSlice> slices) {
        nodePorts.service(service.getMetadata().getNamespace() + "/" + service.getMetadata().getName(),
                NodePorts.ports(service, slices, NodePorts.Range.parse("30000-32767")));
    }
}
