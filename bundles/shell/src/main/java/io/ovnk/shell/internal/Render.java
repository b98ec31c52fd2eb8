package io.ovnk.shell.internal;

import io.ovnk.kube.QueueStats;
import io.ovnk.shell.ComponentStatus;
import io.ovnk.shell.HealthReport;
import io.ovnk.shell.Reason;
import io.ovnk.shell.internal.Inspection.NodeRow;
import io.ovnk.shell.internal.Inspection.PodRow;
import io.ovnk.shell.internal.Inspection.ServiceRow;
import io.ovnk.shell.internal.Inspection.SubnetRow;
import io.ovnk.shell.internal.Inspection.TableRows;
import java.util.List;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The commands' output: aligned text for people, JSON (the same records) for programs. */
public final class Render {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Render() {
    }

    /** What {@code ovnk:status} shows. */
    public record Status(String roles, String mode, List<String> modeProviders, Leader leadership,
            List<Database> databases, List<QueueStats> queues, String queuesNote, String ipam, HealthReport health) {
    }

    /** Whether this process leads; identity, Lease and since when if it does. */
    public record Leader(boolean leads, String identity, String lease, String since) {
    }

    /**
     * One OvsdbClient service: its database, the remotes configured, its state, the remote it is connected to,
     * how many connections it has made, the tables its cache monitors.
     */
    public record Database(String database, String remotes, String state, String remote, long connections,
            List<String> monitoredTables) {
    }

    public static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    public static String nodes(List<NodeRow> nodes) {
        TextTable table = TextTable.of("NAME", "SUBNETS", "CHASSIS", "MGMT MAC", "GATEWAY IP");
        nodes.forEach(node -> table.row(node.name(), String.join(",", node.subnets()), node.chassisId(), node.mgmtMac(),
                String.join(",", node.gatewayIps())));
        StringBuilder text = new StringBuilder(table.render());
        nodes.forEach(node -> node.problems().forEach(problem -> text.append("! ").append(problem).append('\n')));
        return text.append(count(nodes.size(), "node")).toString();
    }

    public static String pods(List<PodRow> pods) {
        TextTable table = TextTable.of("NAMESPACE", "NAME", "NODE", "IP", "MAC");
        pods.forEach(pod -> table.row(pod.namespace(), pod.name(), pod.node(), addressCell(pod), pod.mac()));
        StringBuilder text = new StringBuilder(table.render());
        pods.stream().filter(pod -> pod.problem() != null && !pod.problem().equals("host network"))
                .forEach(pod -> text.append("! ").append(pod.problem()).append('\n'));
        return text.append(count(pods.size(), "pod")).toString();
    }

    public static String services(List<ServiceRow> services) {
        TextTable table = TextTable.of("NAMESPACE/NAME", "TYPE", "CLUSTER-IP:PORTS", "NODEPORTS", "READY")
                .rightAligned(4);
        for (ServiceRow service : services) {
            String ips = service.clusterIps().isEmpty() || "None".equals(service.clusterIps().get(0)) ? "None"
                    : String.join(",", service.clusterIps());
            table.row(service.namespace() + "/" + service.name(), service.type(),
                    ips + (service.ports().isEmpty() ? "" : ":" + String.join(",", service.ports())),
                    String.join(",", service.nodePorts()), service.readyEndpoints());
        }
        return table.render() + count(services.size(), "service");
    }

    public static String subnets(List<SubnetRow> subnets) {
        TextTable table = TextTable.of("NODE", "SUBNET", "ALLOCATED", "ALLOCATABLE", "USED").rightAligned(2, 3, 4);
        subnets.forEach(subnet -> table.row(subnet.node(), subnet.subnet(), subnet.allocated(), subnet.allocatable(),
                String.format(java.util.Locale.ROOT, "%.1f%%", subnet.percent())));
        return table.render() + count(subnets.size(), "node subnet");
    }

    public static String table(TableRows rows) {
        TextTable table = TextTable.of(rows.columns().toArray(String[]::new));
        rows.rows().forEach(row -> table.row(rows.columns().stream().map(column -> Inspection.text(row.get(column)))
                .toArray()));
        return table.render() + count(rows.rows().size(), rows.table() + " row");
    }

    /** First line {@code OK} or {@code NOT OK}, a count line, then every component that does not run and why. */
    public static String health(HealthReport report) {
        StringBuilder text = new StringBuilder(report.healthy() ? "OK" : "NOT OK").append('\n');
        text.append(healthCounts(report)).append('\n');
        List<ComponentStatus> notRunning = report.notRunning();
        if (!notRunning.isEmpty()) {
            text.append(components(notRunning));
        }
        return text.toString();
    }

    static String healthCounts(HealthReport report) {
        StringBuilder text = new StringBuilder().append(report.components().size()).append(" ovnk components: ");
        String separator = "";
        for (ComponentStatus.Verdict verdict : List.of(ComponentStatus.Verdict.RUNNING, ComponentStatus.Verdict.FAILED,
                ComponentStatus.Verdict.DISABLED, ComponentStatus.Verdict.WAITING, ComponentStatus.Verdict.STANDBY,
                ComponentStatus.Verdict.NOT_CONFIGURED)) {
            long count = report.count(verdict);
            if (count > 0 || verdict == ComponentStatus.Verdict.RUNNING) {
                text.append(separator).append(count).append(' ').append(verdict.text());
                separator = ", ";
            }
        }
        return text.toString();
    }

    /** One line per reason: the component's columns on its first line only. */
    static String components(List<ComponentStatus> components) {
        TextTable table = TextTable.of("COMPONENT", "BUNDLE", "STATE", "WHY").blankWhenEmpty();
        for (ComponentStatus component : components) {
            List<Reason> reasons = component.reasons();
            String name = component.name() + (component.configurationId() >= 0 ? " #" + component.configurationId() : "");
            if (reasons.isEmpty()) {
                table.row(name, component.bundle(), component.verdict().text(), component.scrState());
            }
            for (int i = 0; i < reasons.size(); i++) {
                table.row(i == 0 ? name : "", i == 0 ? component.bundle() : "", i == 0 ? component.verdict().text() : "",
                        reasons.get(i).text());
            }
        }
        return table.render();
    }

    public static String status(Status status) {
        StringBuilder text = new StringBuilder();
        text.append("roles       ").append(status.roles()).append('\n');
        text.append("mode        ").append(status.mode());
        if (!status.modeProviders().isEmpty()) {
            text.append(" (").append(String.join(", ", status.modeProviders())).append(')');
        }
        text.append('\n');
        Leader leader = status.leadership();
        text.append("leadership  ").append(leader.leads() ? "leads: " + leader.identity() + " holds " + leader.lease()
                + " since " + leader.since() : "does not lead (no Leadership service)").append('\n');
        text.append("ipam        ").append(status.ipam()).append('\n');
        text.append("health      ").append(status.health().healthy() ? "OK" : "NOT OK").append(": ")
                .append(healthCounts(status.health())).append("\n\n");

        text.append("DATABASES\n");
        if (status.databases().isEmpty()) {
            text.append("none: no io.ovnk.ovsdb.connection configuration in this process\n");
        } else {
            TextTable table = TextTable.of("DATABASE", "STATE", "REMOTE", "CONFIGURED", "CONNECTIONS", "MONITORED TABLES")
                    .rightAligned(4);
            status.databases().forEach(db -> table.row(db.database(), db.state(), db.remote(), db.remotes(),
                    db.connections(), db.monitoredTables().size()));
            text.append(table.render());
        }
        text.append('\n').append("QUEUES\n");
        if (status.queues() == null) {
            text.append(status.queuesNote()).append('\n');
        } else if (status.queues().isEmpty()) {
            text.append("no handler registered\n");
        } else {
            TextTable table = TextTable.of("HANDLER", "KIND", "DEPTH", "INFLIGHT", "RETRYING", "HANDLED", "FAILED")
                    .rightAligned(2, 3, 4, 5, 6);
            status.queues().forEach(queue -> table.row(queue.handler(), queue.kind(), queue.depth(), queue.inFlight(),
                    queue.retrying(), queue.handled(), queue.failures()));
            text.append(table.render());
        }
        List<ComponentStatus> notRunning = status.health().notRunning();
        text.append('\n').append("COMPONENTS NOT RUNNING\n");
        text.append(notRunning.isEmpty() ? "none\n" : components(notRunning));
        return text.toString();
    }

    private static String addressCell(PodRow pod) {
        if (!pod.ips().isEmpty() || pod.problem() == null) {
            return String.join(",", pod.ips());
        }
        return pod.problem().equals("host network") ? "(host network)"
                : "(malformed " + io.ovnk.kube.OvnAnnotations.POD_NETWORKS + ")";
    }

    private static String count(int count, String what) {
        return count + " " + what + (count == 1 ? "" : "s") + "\n";
    }
}
