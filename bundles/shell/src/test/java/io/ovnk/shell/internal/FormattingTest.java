package io.ovnk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.SubnetUsage;
import io.ovnk.kube.QueueStats;
import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.BaseType;
import io.ovnk.ovsdb.ColumnSchema;
import io.ovnk.ovsdb.ColumnType;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableSchema;
import io.ovnk.shell.ComponentStatus;
import io.ovnk.shell.ComponentStatus.Verdict;
import io.ovnk.shell.HealthReport;
import io.ovnk.shell.Reason;
import io.ovnk.shell.internal.Inspection.TableRows;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class FormattingTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @Test
    public void tablesAlignColumnsAndRightAlignNumbers() {
        String text = TextTable.of("NAME", "COUNT", "NOTE").rightAligned(1).row("a", 5, "first").row("longer", 1234, "")
                .render();
        assertEquals("""
                NAME    COUNT  NOTE
                a           5  first
                longer   1234  -
                """, text);
    }

    @Test
    public void blankCellsContinueARow() {
        String text = TextTable.of("A", "WHY").blankWhenEmpty().row("x", "one").row("", "two").render();
        assertEquals("A  WHY\nx  one\n   two\n", text);
    }

    @Test
    public void argumentsTakeJsonInEverySpellingAndKeepPositionalWords() {
        assertEquals(new Args(true, List.of("shop")), Args.parse("-o", "json", "shop"));
        assertEquals(new Args(true, List.of("shop")), Args.parse("shop", "--json"));
        assertEquals(new Args(true, List.of()), Args.parse("-ojson"));
        assertEquals(new Args(true, List.of()), Args.parse("--output=json"));
        assertEquals(new Args(false, List.of("nb", "NAT")), Args.parse("nb", "NAT", "-o", "text"));
        assertEquals("unknown option -x (options: -o json|text, --json)",
                assertThrows(IllegalArgumentException.class, () -> Args.parse("-x")).getMessage());
        assertEquals("unknown output format \"yaml\" (json or text)",
                assertThrows(IllegalArgumentException.class, () -> Args.parse("-o", "yaml")).getMessage());
        assertEquals("-o needs a format: json or text",
                assertThrows(IllegalArgumentException.class, () -> Args.parse("-o")).getMessage());
    }

    @Test
    public void nodesShowTheirAnnotationsAndNameAMalformedOne() throws Exception {
        var full = new NodeBuilder().withNewMetadata().withName("node-b").addToAnnotations(Map.of(
                "k8s.ovn.org/node-subnets", "{\"default\":[\"10.128.2.0/23\",\"fd00:10:244:2::/64\"]}",
                "k8s.ovn.org/node-chassis-id", "4f1c1b2e-chassis",
                "k8s.ovn.org/node-mgmt-port-mac-address", "0a:58:0a:80:02:02",
                "k8s.ovn.org/l3-gateway-config", "{\"default\":{\"mode\":\"shared\",\"interface-id\":\"br-ex_node-b\","
                        + "\"mac-address\":\"02:00:00:00:00:0b\",\"ip-addresses\":[\"192.0.2.11/24\"],"
                        + "\"next-hops\":[\"192.0.2.1\"],\"node-port-enable\":\"true\",\"vlan-id\":\"0\"}}"))
                .endMetadata().build();
        var bare = new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().build();
        var bad = new NodeBuilder().withNewMetadata().withName("node-c")
                .addToAnnotations("k8s.ovn.org/node-subnets", "{\"default\":\"10.1.2\"}").endMetadata().build();

        var rows = Inspection.nodes(List.of(full, bad, bare));
        String text = Render.nodes(rows);

        assertEquals("""
                NAME    SUBNETS                           CHASSIS           MGMT MAC           GATEWAY IP
                node-a  -                                 -                 -                  -
                node-b  10.128.2.0/23,fd00:10:244:2::/64  4f1c1b2e-chassis  0a:58:0a:80:02:02  192.0.2.11/24
                node-c  -                                 -                 -                  -
                """, text.substring(0, text.indexOf("! ")));
        assertTrue(text.contains("! node node-c: annotation k8s.ovn.org/node-subnets"), text);
        assertTrue(text.endsWith("3 nodes\n"), text);

        JsonNode json = MAPPER.readTree(Render.json(rows));
        assertEquals("node-b", json.get(1).get("name").asString());
        assertEquals("fd00:10:244:2::/64", json.get(1).get("subnets").get(1).asString());
        assertEquals("192.0.2.11/24", json.get(1).get("gatewayIps").get(0).asString());
    }

    @Test
    public void podsShowNodeAddressAndMacFromTheirAnnotation() {
        var wired = new PodBuilder().withNewMetadata().withNamespace("shop").withName("web-1")
                .addToAnnotations("k8s.ovn.org/pod-networks", "{\"default\":{\"ip_addresses\":[\"10.128.2.5/23\"],"
                        + "\"mac_address\":\"0a:58:0a:80:02:05\",\"gateway_ips\":[\"10.128.2.1\"]}}")
                .endMetadata().withNewSpec().withNodeName("node-b").endSpec().build();
        var pending = new PodBuilder().withNewMetadata().withNamespace("shop").withName("db-0").endMetadata()
                .withNewSpec().endSpec().build();
        var host = new PodBuilder().withNewMetadata().withNamespace("kube-system").withName("proxy").endMetadata()
                .withNewSpec().withNodeName("node-a").withHostNetwork(true).endSpec().build();

        assertEquals("""
                NAMESPACE    NAME   NODE    IP              MAC
                kube-system  proxy  node-a  (host network)  -
                shop         db-0   -       -               -
                shop         web-1  node-b  10.128.2.5/23   0a:58:0a:80:02:05
                3 pods
                """, Render.pods(Inspection.pods(List.of(wired, pending, host))));
    }

    @Test
    public void servicesCountDistinctReadyEndpointsOfTheirSlices() {
        var web = new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata().withNewSpec()
                .withType("NodePort").withClusterIP("172.16.1.10").withClusterIPs("172.16.1.10")
                .addNewPort().withPort(80).withProtocol("TCP").withNodePort(30080).endPort()
                .addNewPort().withPort(53).withProtocol("UDP").withNodePort(30053).endPort().endSpec().build();
        var headless = new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("db").endMetadata()
                .withNewSpec().withClusterIP("None").addNewPort().withPort(5432).endPort().endSpec().build();
        var slice = new EndpointSliceBuilder().withNewMetadata().withNamespace("shop").withName("web-abc")
                .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.128.2.5").withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("10.128.2.6").endEndpoint()
                .addNewEndpoint().withAddresses("10.128.2.7").withNewConditions().withReady(false).endConditions().endEndpoint()
                .build();
        var copy = new EndpointSliceBuilder(slice).editMetadata().withName("web-def").endMetadata().build();

        assertEquals("""
                NAMESPACE/NAME  TYPE       CLUSTER-IP:PORTS           NODEPORTS            READY
                shop/db         ClusterIP  None:5432/TCP              -                        0
                shop/web        NodePort   172.16.1.10:80/TCP,53/UDP  30080/TCP,30053/UDP      2
                2 services
                """, Render.services(Inspection.services(List.of(web, headless), List.of(slice, copy))));
    }

    @Test
    public void subnetsShowUsageAsAPercentage() {
        var rows = Inspection.subnets(List.of(new SubnetUsage("node-b", Cidr.parse("10.128.2.0/23"), 3, 507),
                new SubnetUsage("node-a", Cidr.parse("10.128.0.0/23"), 0, 507)));
        assertEquals("""
                NODE    SUBNET         ALLOCATED  ALLOCATABLE  USED
                node-a  10.128.0.0/23          0          507  0.0%
                node-b  10.128.2.0/23          3          507  0.6%
                2 node subnets
                """, Render.subnets(rows));
    }

    @Test
    public void ovsdbRowsShowNonEmptyColumnsAndFilterByColumnOrMapKey() throws Exception {
        TableSchema schema = new TableSchema("Logical_Switch", List.of(
                new ColumnSchema("name", new ColumnType(BaseType.of(AtomicType.STRING), null, 1, 1), false, true),
                new ColumnSchema("other_config", new ColumnType(BaseType.of(AtomicType.STRING),
                        BaseType.of(AtomicType.STRING), 0, Integer.MAX_VALUE), false, true),
                new ColumnSchema("ports", new ColumnType(BaseType.of(AtomicType.UUID), null, 0, Integer.MAX_VALUE), false,
                        true),
                new ColumnSchema("dns_records", new ColumnType(BaseType.of(AtomicType.UUID), null, 0, Integer.MAX_VALUE),
                        false, true)), List.of(), true, Optional.empty());
        UUID a = UUID.fromString("00000000-0000-0000-0000-00000000000a");
        UUID b = UUID.fromString("00000000-0000-0000-0000-00000000000b");
        UUID port = UUID.fromString("00000000-0000-0000-0000-0000000000ff");
        List<Row> rows = List.of(
                Row.of(schema, b, Map.of("name", "node-b", "other_config", Map.of("subnet", "10.128.2.0/23"),
                        "ports", Set.of(port), "dns_records", Set.of())),
                Row.of(schema, a, Map.of("name", "join", "other_config", Map.of(), "ports", Set.of(),
                        "dns_records", Set.of())));
        List<String> columns = List.of("dns_records", "name", "other_config", "ports");

        TableRows all = Inspection.table("OVN_Northbound", "Logical_Switch", columns, rows, null);
        assertEquals(List.of("_uuid", "name", "other_config", "ports"), all.columns(), "dns_records is empty everywhere");
        assertEquals("""
                _uuid                                 name    other_config            ports
                00000000-0000-0000-0000-00000000000a  join    {}                      []
                00000000-0000-0000-0000-00000000000b  node-b  {subnet=10.128.2.0/23}  00000000-0000-0000-0000-0000000000ff
                2 Logical_Switch rows
                """, Render.table(all));

        TableRows filtered = Inspection.table("OVN_Northbound", "Logical_Switch", columns, rows,
                "other_config:subnet=10.128.2.0/23");
        assertEquals(1, filtered.rows().size());
        assertEquals("node-b", filtered.rows().get(0).get("name"));
        assertEquals(1, Inspection.table("OVN_Northbound", "Logical_Switch", columns, rows, "name=join").rows().size());
        assertEquals(1, Inspection.table("OVN_Northbound", "Logical_Switch", columns, rows,
                "ports=00000000-0000-0000-0000-0000000000ff").rows().size());
        assertEquals("filter \"nmae=join\": Logical_Switch has no column nmae (columns: dns_records, name, other_config, ports)",
                assertThrows(IllegalArgumentException.class, () -> Inspection.table("OVN_Northbound", "Logical_Switch",
                        columns, rows, "nmae=join")).getMessage());

        JsonNode json = MAPPER.readTree(Render.json(filtered));
        assertEquals("10.128.2.0/23", json.get("rows").get(0).get("other_config").get("subnet").asString());
        assertEquals("00000000-0000-0000-0000-0000000000ff", json.get("rows").get(0).get("ports").get(0).asString());
    }

    @Test
    public void healthSaysOkOrNotOkFirstThenEachComponentThatDoesNotRunAndWhy() throws Exception {
        HealthReport report = HealthReport.of(List.of(
                new ComponentStatus("io.ovnk.kube", "io.ovnk.kube.internal.InformersComponent", 7, Verdict.WAITING,
                        "unsatisfied reference", List.of(Reason.reference(false, "client",
                                "io.fabric8.kubernetes.client.KubernetesClient", null, "it comes from "
                                        + "io.ovnk.kube.internal.KubeClientComponent, which needs configuration io.ovnk.kube"))),
                new ComponentStatus("io.ovnk.kube", "io.ovnk.kube.internal.KubeClientComponent", -1, Verdict.NOT_CONFIGURED,
                        "unsatisfied configuration", List.of(Reason.missingConfiguration("io.ovnk.kube", false))),
                new ComponentStatus("io.ovnk.ipam", "io.ovnk.ipam.internal.IpamComponent", -1, Verdict.NOT_CONFIGURED,
                        "unsatisfied configuration", List.of(Reason.missingConfiguration("io.ovnk.ipam", false),
                                Reason.missingConfiguration("io.ovnk.other", false))),
                new ComponentStatus("io.ovnk.runtime", "io.ovnk.runtime.internal.R", 1, Verdict.RUNNING, "active", List.of())));

        String text = Render.health(report);

        assertEquals("""
                NOT OK
                4 ovnk components: 1 running, 1 waiting, 2 not configured
                COMPONENT                                    BUNDLE        STATE           WHY
                io.ovnk.kube.internal.InformersComponent #7  io.ovnk.kube  waiting         reference client to \
                io.fabric8.kubernetes.client.KubernetesClient: it comes from io.ovnk.kube.internal.KubeClientComponent, \
                which needs configuration io.ovnk.kube
                io.ovnk.ipam.internal.IpamComponent          io.ovnk.ipam  not configured  needs configuration io.ovnk.ipam \
                (etc/io.ovnk.ipam.cfg), which does not exist
                                <CONTINUATION>needs configuration io.ovnk.other \
                (etc/io.ovnk.other.cfg), which does not exist
                io.ovnk.kube.internal.KubeClientComponent    io.ovnk.kube  not configured  needs configuration io.ovnk.kube \
                (etc/io.ovnk.kube.cfg), which does not exist
                """.replace("<CONTINUATION>", " ".repeat(59)), text);

        JsonNode json = MAPPER.readTree(Render.json(report));
        assertFalse(json.get("healthy").asBoolean());
        JsonNode reason = json.get("components").get(0).get("reasons").get(0);
        assertEquals("UNSATISFIED_REFERENCE", reason.get("kind").asString());
        assertEquals("io.fabric8.kubernetes.client.KubernetesClient", reason.get("interfaceName").asString());

        assertTrue(Render.health(HealthReport.of(List.of(new ComponentStatus("io.ovnk.runtime", "R", 1, Verdict.RUNNING,
                "active", List.of())))).startsWith("OK\n1 ovnk components: 1 running\n"));
    }

    @Test
    public void statusShowsRolesLeadershipDatabasesQueuesAndComponents() throws Exception {
        HealthReport health = HealthReport.of(List.of(new ComponentStatus("io.ovnk.overlay",
                "io.ovnk.overlay.internal.OverlayNodeComponent", -1, Verdict.NOT_CONFIGURED, "unsatisfied configuration",
                List.of(Reason.missingConfiguration("io.ovnk.overlay.node", false)))));
        Render.Status status = new Render.Status("master", "overlay", List.of("PodPortBinder overlay"),
                new Render.Leader(true, "m1", "ovn-kubernetes/ovnkube-master", "2026-11-26T10:00:00Z"),
                List.of(new Render.Database("OVN_Northbound", "unix:/run/ovn/nb.sock", "connected", "unix:/run/ovn/nb.sock",
                        1, List.of("Logical_Switch", "Logical_Switch_Port"))),
                List.of(new QueueStats("io.ovnk.master.internal.NodeController", "Node", 4, 0, 0, 0, 12, 0, "")), null,
                "1 nodes hold subnets", health);

        String text = Render.status(status);

        assertEquals("""
                roles       master
                mode        overlay (PodPortBinder overlay)
                leadership  leads: m1 holds ovn-kubernetes/ovnkube-master since 2026-11-26T10:00:00Z
                ipam        1 nodes hold subnets
                health      OK: 1 ovnk components: 0 running, 1 not configured

                DATABASES
                DATABASE        STATE      REMOTE                 CONFIGURED             CONNECTIONS  MONITORED TABLES
                OVN_Northbound  connected  unix:/run/ovn/nb.sock  unix:/run/ovn/nb.sock            1  2

                QUEUES
                HANDLER                                 KIND  DEPTH  INFLIGHT  RETRYING  HANDLED  FAILED
                io.ovnk.master.internal.NodeController  Node      0         0         0       12       0

                COMPONENTS NOT RUNNING
                COMPONENT                                      BUNDLE           STATE           WHY
                io.ovnk.overlay.internal.OverlayNodeComponent  io.ovnk.overlay  not configured  needs configuration \
                io.ovnk.overlay.node (etc/io.ovnk.overlay.node.cfg), which does not exist
                """, text);
        JsonNode json = MAPPER.readTree(Render.json(status));
        assertEquals("connected", json.get("databases").get(0).get("state").asString());
        assertEquals(12, json.get("queues").get(0).get("handled").asInt());
        assertTrue(json.get("leadership").get("leads").asBoolean());
    }
}
