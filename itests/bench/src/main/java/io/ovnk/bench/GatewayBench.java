package io.ovnk.bench;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.ovnk.gateway.internal.GatewayDriver;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * NodePort Services across gateway routers, three layouts in the same run on fresh Northbound servers: the
 * gateway's (one load balancer per router and protocol holding every NodePort VIP of that node, a Service's change
 * one transaction of {@code vips} mutations), one load balancer per router per Service (each router's node IP
 * literally in the VIP, attached to that router), and the former template layout (one load balancer template per
 * Service in one group on every router, a template variable per chassis; written here directly, not by the
 * gateway). Each writes one Service per transaction through the ovnk OVSDB client; the figures are the time to
 * program every Service, the Northbound rows the NodePorts take and the VIP entries they hold.
 */
public final class GatewayBench {

    /** One layout's figures. */
    private record Result(String layout, long ms, long rows, long balancers, long vips) {
    }

    private GatewayBench() {
    }

    public static void main(String[] args) throws Exception {
        int services = Integer.getInteger("bench.gatewayServices", 1000);
        int routers = Integer.getInteger("bench.gatewayRouters", 20);
        List<String> lines = new ArrayList<>(List.of(Report.heading("Gateway NodePort benchmark"), "",
                services + " NodePort Services (TCP, 2 ready endpoints each) on " + routers + " gateway routers; one "
                        + "Service per transaction, ovnk OVSDB client, fresh NB ovsdb-server per layout:", "",
                "| layout | time to program | per Service | NodePort rows in NB | Load_Balancer rows | VIP entries |",
                "|---|---|---|---|---|---|"));
        List<Result> results = List.of(perRouterAndProtocol(services, routers), perRouterAndService(services, routers),
                templates(services, routers));
        for (Result r : results) {
            lines.add(String.format("| %s | %d ms | %.2f ms | %d | %d | %d |", r.layout(), r.ms(), r.ms() / (double) services,
                    r.rows(), r.balancers(), r.vips()));
        }
        Result mine = results.get(0);
        Result perService = results.get(1);
        lines.add("");
        lines.add(String.format("The gateway's layout takes %.0f x fewer rows than one load balancer per router and "
                + "Service, in %.2f x its time; rows grow as routers x protocols (at most 3 per router), VIP entries "
                + "as routers x Services. Templates (written here directly, one insert per Service and no read) take "
                + "the fewest rows and VIP entries, but on OVN 23.03 a TCP connection through a template is reset "
                + "when the router has lb_force_snat_ip=router_ip.", perService.rows() / (double) mine.rows(),
                mine.ms() / (double) perService.ms()));
        Report.publish(lines);
    }

    private static Service service(int i) {
        return new ServiceBuilder().withNewMetadata().withName("svc" + i).withNamespace("bench").endMetadata()
                .withNewSpec().withType("NodePort").withClusterIP("172.16." + (i / 250) + "." + (i % 250 + 1))
                .addNewPort().withProtocol("TCP").withPort(80).withTargetPort(new IntOrString(8080))
                .withNodePort(30000 + i).endPort().endSpec().build();
    }

    private static EndpointSlice slice(int i) {
        return new EndpointSliceBuilder().withNewMetadata().withName("svc" + i + "-1").withNamespace("bench")
                .addToLabels("kubernetes.io/service-name", "svc" + i).endMetadata().withAddressType("IPv4")
                .addNewPort().withProtocol("TCP").withPort(8080).endPort()
                .addNewEndpoint().withAddresses(backend(i, 0)).endEndpoint()
                .addNewEndpoint().withAddresses(backend(i, 1)).endEndpoint().build();
    }

    private static String backend(int i, int n) {
        int host = 2 * i + n + 3;
        return "10.128." + (host / 250) + "." + (host % 250 + 3);
    }

    private static List<Service> services(int services) {
        List<Service> all = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            all.add(service(i));
        }
        return all;
    }

    private static String nodeIp(int r) {
        return "172.30." + (r / 250) + "." + (r % 250 + 2);
    }

    /** The gateway's layout, written by the gateway's own code. */
    private static Result perRouterAndProtocol(int services, int routers) throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly(); OvsdbClient nb = connect(stack)) {
            topology(stack);
            GatewayDriver driver = new GatewayDriver(nb);
            for (int r = 0; r < routers; r++) {
                driver.gatewayRouter(r);
            }
            List<Service> all = services(services);
            List<EndpointSlice> slices = new ArrayList<>();
            for (int i = 0; i < services; i++) {
                slices.add(slice(i));
            }
            long begin = System.nanoTime();
            for (int i = 0; i < services; i++) {
                driver.service(all.get(i), List.of(slices.get(i)));
            }
            long ms = (System.nanoTime() - begin) / 1_000_000;
            long lbs = count(stack, "Load_Balancer");
            return new Result("gateway: 1 LB per GR and protocol holding all its NodePort VIPs", ms, lbs, lbs, vips(nb));
        }
    }

    private static Result perRouterAndService(int services, int routers) throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly(); OvsdbClient nb = connect(stack)) {
            topology(stack);
            GatewayDriver driver = new GatewayDriver(nb);
            for (int r = 0; r < routers; r++) {
                driver.gatewayRouter(r);
            }
            long begin = System.nanoTime();
            for (int i = 0; i < services; i++) {
                String backends = backend(i, 0) + ":8080," + backend(i, 1) + ":8080";
                List<Operation> ops = new ArrayList<>();
                for (int r = 0; r < routers; r++) {
                    String name = "Service_bench/svc" + i + "_TCP_node_router_node" + r;
                    ops.add(Operation.insert("Load_Balancer").withUuidName("lb" + r).set("name", name)
                            .set("protocol", Set.of("tcp")).set("vips", Map.of(nodeIp(r) + ":" + (30000 + i), backends))
                            .set("external_ids", Map.of("k8s.ovn.org/owner-controller", "bench")));
                    ops.add(Operation.mutate("Logical_Router").where(Condition.equal("name", "GR_node" + r))
                            .mutation(Mutation.insert("load_balancer", Set.of(NamedUuid.of("lb" + r)))));
                }
                nb.transact(ops, Duration.ofSeconds(60)).get(70, TimeUnit.SECONDS);
            }
            long ms = (System.nanoTime() - begin) / 1_000_000;
            long lbs = count(stack, "Load_Balancer");
            return new Result("1 LB per GR per Service, attached to each GR", ms, lbs, lbs, vips(nb));
        }
    }

    /** The former layout: a template per Service in one group on every GR, a template variable per chassis. */
    private static Result templates(int services, int routers) throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly(); OvsdbClient nb = connect(stack)) {
            topology(stack);
            GatewayDriver driver = new GatewayDriver(nb);
            for (int r = 0; r < routers; r++) {
                driver.gatewayRouter(r);
            }
            List<Operation> setup = new ArrayList<>(List.of(Operation.insert("Load_Balancer_Group")
                    .withUuidName("group").set("name", "bench")));
            for (int r = 0; r < routers; r++) {
                setup.add(Operation.mutate("Logical_Router").where(Condition.equal("name", "GR_node" + r))
                        .mutation(Mutation.insert("load_balancer_group", Set.of(NamedUuid.of("group")))));
                setup.add(Operation.insert("Chassis_Template_Var").set("chassis", "chassis-" + r)
                        .set("variables", Map.of("NODEIP", nodeIp(r))));
            }
            nb.transact(setup, Duration.ofSeconds(60)).get(70, TimeUnit.SECONDS);
            long begin = System.nanoTime();
            for (int i = 0; i < services; i++) {
                String backends = backend(i, 0) + ":8080," + backend(i, 1) + ":8080";
                nb.transact(List.of(Operation.insert("Load_Balancer").withUuidName("lb")
                        .set("name", "Service_bench/svc" + i + "_TCP_node_router_template_IPv4")
                        .set("protocol", Set.of("tcp")).set("vips", Map.of("^NODEIP:" + (30000 + i), backends))
                        .set("options", Map.of("template", "true", "address-family", "ipv4"))
                        .set("external_ids", Map.of("k8s.ovn.org/owner-controller", "bench")),
                        Operation.mutate("Load_Balancer_Group").where(Condition.equal("name", "bench"))
                                .mutation(Mutation.insert("load_balancer", Set.of(NamedUuid.of("lb"))))),
                        Duration.ofSeconds(60)).get(70, TimeUnit.SECONDS);
            }
            long ms = (System.nanoTime() - begin) / 1_000_000;
            long lbs = count(stack, "Load_Balancer");
            return new Result("former templates: 1 LB per Service in 1 group on every GR, " + routers
                    + " Chassis_Template_Var (bench only)", ms, lbs + count(stack, "Load_Balancer_Group")
                    + count(stack, "Chassis_Template_Var"), lbs, vips(nb));
        }
    }

    /** VIP entries over every load balancer. */
    private static long vips(OvsdbClient nb) throws Exception {
        return nb.transact(List.of(Operation.select("Load_Balancer").columns("vips")), Duration.ofSeconds(60))
                .get(70, TimeUnit.SECONDS).rows(0).stream().mapToLong(row -> row.map("vips").size()).sum();
    }

    private static OvsdbClient connect(OvnStack stack) throws Exception {
        OvsdbClient nb = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().unixRemote()));
        nb.connected().get(30, TimeUnit.SECONDS);
        return nb;
    }

    /** What the master writes before any gateway: the cluster router and the join switch. */
    private static void topology(OvnStack stack) {
        stack.nbctl("lr-add", "ovn_cluster_router", "--", "ls-add", "join");
    }

    private static long count(OvnStack stack, String table) {
        return stack.nbctl("--bare", "--columns=_uuid", "list", table).lines().filter(l -> !l.isBlank()).count();
    }
}
