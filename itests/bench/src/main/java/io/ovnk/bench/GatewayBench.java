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
 * NodePort Services across gateway routers, two layouts in the same run on fresh Northbound servers: the gateway's
 * (one load balancer template per Service and protocol, in one group on every router, a template variable per
 * chassis) and one load balancer per router per Service (each router's node IP literally in the VIP, attached to
 * that router). Both are written one Service per transaction through the ovnk OVSDB client; the figures are the
 * time to program every Service and the Northbound rows the NodePorts take.
 */
public final class GatewayBench {

    private GatewayBench() {
    }

    public static void main(String[] args) throws Exception {
        int services = Integer.getInteger("bench.gatewayServices", 1000);
        int routers = Integer.getInteger("bench.gatewayRouters", 20);
        List<String> lines = new ArrayList<>(List.of(Report.heading("Gateway NodePort benchmark"), "",
                services + " NodePort Services (TCP, 2 ready endpoints each) on " + routers + " gateway routers; one "
                        + "Service per transaction, ovnk OVSDB client, fresh NB ovsdb-server per layout:", "",
                "| layout | time to program | per Service | NodePort rows in NB | Load_Balancer rows |",
                "|---|---|---|---|---|"));
        long[] template = templates(services, routers);
        long[] perRouter = perRouter(services, routers);
        lines.add(String.format("| templates: 1 LB per Service in 1 group on every GR, %d Chassis_Template_Var | %d ms | %.2f ms "
                + "| %d | %d |", routers, template[0], template[0] / (double) services, template[1], template[2]));
        lines.add(String.format("| 1 LB per GR per Service, attached to each GR | %d ms | %.2f ms | %d | %d |",
                perRouter[0], perRouter[0] / (double) services, perRouter[1], perRouter[2]));
        lines.add("");
        lines.add(String.format("Templates take %.1f x fewer rows and %.2f x the time of the per-router layout. Rows "
                + "grow as Services + routers with templates, as Services x routers without.",
                perRouter[1] / (double) template[1], template[0] / (double) perRouter[0]));
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

    /** {time ms, NodePort rows, Load_Balancer rows}. */
    private static long[] templates(int services, int routers) throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly(); OvsdbClient nb = connect(stack)) {
            topology(stack);
            GatewayDriver driver = new GatewayDriver(nb);
            for (int r = 0; r < routers; r++) {
                driver.gatewayRouter(r);
            }
            List<Service> all = new ArrayList<>();
            List<EndpointSlice> slices = new ArrayList<>();
            for (int i = 0; i < services; i++) {
                all.add(service(i));
                slices.add(slice(i));
            }
            long begin = System.nanoTime();
            for (int i = 0; i < services; i++) {
                driver.service(all.get(i), List.of(slices.get(i)));
            }
            long ms = (System.nanoTime() - begin) / 1_000_000;
            long lbs = count(stack, "Load_Balancer");
            return new long[] { ms, lbs + count(stack, "Load_Balancer_Group") + count(stack, "Chassis_Template_Var"), lbs };
        }
    }

    private static long[] perRouter(int services, int routers) throws Exception {
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
                    String nodeIp = "172.30." + (r / 250) + "." + (r % 250 + 2);
                    String name = "Service_bench/svc" + i + "_TCP_node_router_node" + r;
                    ops.add(Operation.insert("Load_Balancer").withUuidName("lb" + r).set("name", name)
                            .set("protocol", Set.of("tcp")).set("vips", Map.of(nodeIp + ":" + (30000 + i), backends))
                            .set("external_ids", Map.of("k8s.ovn.org/owner-controller", "bench")));
                    ops.add(Operation.mutate("Logical_Router").where(Condition.equal("name", "GR_node" + r))
                            .mutation(Mutation.insert("load_balancer", Set.of(NamedUuid.of("lb" + r)))));
                }
                nb.transact(ops, Duration.ofSeconds(60)).get(70, TimeUnit.SECONDS);
            }
            long ms = (System.nanoTime() - begin) / 1_000_000;
            long lbs = count(stack, "Load_Balancer");
            return new long[] { ms, lbs, lbs };
        }
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
