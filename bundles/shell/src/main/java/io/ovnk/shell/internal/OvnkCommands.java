package io.ovnk.shell.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.Ipam;
import io.ovnk.ipam.MacAddress;
import io.ovnk.kube.Informers;
import io.ovnk.kube.Leadership;
import io.ovnk.kube.Lister;
import io.ovnk.ovsdb.CachedTable;
import io.ovnk.ovsdb.ColumnSchema;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.Remote;
import io.ovnk.ovsdb.Row;
import io.ovnk.shell.Health;
import io.ovnk.shell.HealthReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.CollectionType;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Gogo, scope {@code ovnk}: {@code status}, {@code health}, {@code nodes}, {@code pods [namespace]},
 * {@code services}, {@code subnets}, {@code ovsdb <database> <table> [column=value]},
 * {@code trace <namespace/pod> <namespace/pod | ip[:port]> [--tcp|--udp] [-v]}. Each takes {@code -o json}
 * (or {@code --json}) for the same content as JSON. Every reference is optional: a command says what is missing
 * rather than the commands disappearing.
 */
@Component(service = Object.class, property = { "osgi.command.scope=ovnk", "osgi.command.function=status",
    "osgi.command.function=health", "osgi.command.function=nodes", "osgi.command.function=pods",
    "osgi.command.function=services", "osgi.command.function=subnets", "osgi.command.function=ovsdb",
    "osgi.command.function=trace" })
public final class OvnkCommands {

    /** How long a listing waits for an informer's first list before showing what it has. */
    private static final long SYNC_SECONDS = 10;

    private static final Map<String, String> DATABASE_ALIASES = Map.of("nb", "OVN_Northbound", "sb", "OVN_Southbound",
            "ovs", "Open_vSwitch");

    private final BundleContext context;
    private final Health health;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Informers informers;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Leadership leadership;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Ipam ipam;

    @Reference(service = OvsdbClient.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, collectionType = CollectionType.TUPLE)
    private volatile List<Map.Entry<Map<String, Object>, OvsdbClient>> databases;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configurationAdmin;

    /** How long ovn-trace may take (it waits for the Southbound's whole contents). */
    static final Duration TRACE_TIMEOUT = Duration.ofSeconds(30);

    /** Runs ovn-trace; tests substitute their own. */
    TraceProcess traceProcess = TraceProcess.SYSTEM;

    @Activate
    public OvnkCommands(BundleContext context, @Reference(name = "health") Health health) {
        this.context = context;
        this.health = health;
    }

    public String status(String... words) {
        return run(words, 0, 0, "ovnk:status [-o json]", args -> {
            Render.Status status = status();
            return args.json() ? Render.json(status) : Render.status(status);
        });
    }

    public String health(String... words) {
        return run(words, 0, 0, "ovnk:health [-o json]", args -> {
            HealthReport report = health.check();
            return args.json() ? Render.json(report) : Render.health(report);
        });
    }

    public String nodes(String... words) {
        return run(words, 0, 0, "ovnk:nodes [-o json]", args -> kube(args, Node.class, null, nodes -> {
            var rows = Inspection.nodes(nodes);
            return args.json() ? Render.json(rows) : Render.nodes(rows);
        }));
    }

    public String pods(String... words) {
        return run(words, 0, 1, "ovnk:pods [namespace] [-o json]", args -> kube(args, Pod.class,
                args.positional().isEmpty() ? null : args.positional().get(0), pods -> {
                    var rows = Inspection.pods(pods);
                    return args.json() ? Render.json(rows) : Render.pods(rows);
                }));
    }

    public String services(String... words) {
        return run(words, 0, 0, "ovnk:services [-o json]", args -> kube(args, Service.class, null, services -> {
            List<EndpointSlice> slices = list(informers, EndpointSlice.class, null).objects();
            var rows = Inspection.services(services, slices);
            return args.json() ? Render.json(rows) : Render.services(rows);
        }));
    }

    public String subnets(String... words) {
        return run(words, 0, 0, "ovnk:subnets [-o json]", args -> {
            Ipam current = ipam;
            if (current == null) {
                return problem(args, "no IPAM allocator in this process: it runs where io.ovnk.ipam is configured "
                        + "(the master feature configures it)");
            }
            var rows = Inspection.subnets(current.usage());
            return args.json() ? Render.json(rows) : Render.subnets(rows);
        });
    }

    public String ovsdb(String... words) {
        return run(words, 2, 3, "ovnk:ovsdb <database> <table> [column=value | column:key=value] [-o json]", args -> {
            String database = DATABASE_ALIASES.getOrDefault(args.positional().get(0).toLowerCase(Locale.ROOT),
                    args.positional().get(0));
            String table = args.positional().get(1);
            OvsdbClient client = clients().stream().filter(entry -> database.equalsIgnoreCase(entry.getValue().database()))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            if (client == null) {
                return problem(args, "no " + database + " connection in this process (connections: " + clients().stream()
                        .map(entry -> entry.getValue().database()).sorted().toList() + "); configure "
                        + "io.ovnk.ovsdb.connection~NAME with database = " + database);
            }
            var monitored = new TreeSet<>(client.cache().tables());
            if (!monitored.contains(table)) {
                return problem(args, table + " of " + client.database() + " is not monitored by any component of this "
                        + "process, so nothing of it is cached (monitored: " + (monitored.isEmpty() ? "none"
                        : String.join(", ", monitored)) + ")");
            }
            var rows = client.cache().read(cache -> {
                CachedTable cached = cache.table(table);
                return Inspection.table(client.database(), table, cached.schema().columns().stream()
                        .map(ColumnSchema::name).sorted().toList(), List.<Row>copyOf(cached.rows()),
                        args.positional().size() > 2 ? args.positional().get(2) : null);
            });
            return args.json() ? Render.json(rows) : Render.table(rows);
        });
    }

    public String trace(String... words) {
        String usage = "ovnk:trace <namespace/pod> <namespace/pod | ip[:port]> [--tcp|--udp] [-v] [-o json]";
        return run(words, Set.of("--tcp", "--udp", "-v", "--verbose"), 2, 2, usage, args -> {
            if (args.has("--tcp") && args.has("--udp")) {
                throw new IllegalArgumentException("--tcp or --udp, not both");
            }
            Informers current = informers;
            if (current == null) {
                return problem(args, "no informers: io.ovnk.kube is not configured or its client is not up (see ovnk:health)");
            }
            Trace.Target from = Trace.target(args.positional().get(0));
            if (!from.isPod() || from.port() != null) {
                throw new IllegalArgumentException("source \"" + args.positional().get(0) + "\": expected namespace/pod");
            }
            Trace.Target to = Trace.target(args.positional().get(1));
            List<Pod> pods = list(current, Pod.class, null).objects();
            Trace.Endpoint source = Trace.endpoint(pod(pods, from));
            Trace.Endpoint destinationPod = null;
            IpAddress destination;
            if (to.isPod()) {
                destinationPod = Trace.endpoint(pod(pods, to));
                Trace.Endpoint target = destinationPod;
                destination = source.addresses().stream().map(cidr -> cidr.address().family()).distinct()
                        .flatMap(family -> target.addresses().stream().filter(cidr -> cidr.address().family() == family))
                        .map(Cidr::address).findFirst().orElseThrow(() -> new IllegalArgumentException("pods "
                                + from.namespace() + "/" + from.pod() + " and " + to.namespace() + "/" + to.pod()
                                + " have no address family in common"));
            } else {
                destination = to.ip();
                destinationPod = byAddress(pods, destination);
            }
            Trace.Protocol protocol = args.has("--tcp") ? Trace.Protocol.TCP
                    : args.has("--udp") ? Trace.Protocol.UDP : Trace.Protocol.NONE;
            MacAddress routerMac = Trace.gatewayMac(source, destination.family()).isPresent() ? null
                    : routerMac(source.node());
            Trace.Microflow flow = Trace.microflow(source, destinationPod, destination, to.port(), protocol, routerMac);
            Southbound southbound = southbound();
            if (southbound == null) {
                return problem(args, "no Southbound address is known in this process: no io.ovnk.ovsdb.connection with "
                        + "database = OVN_Southbound, and no sb.remotes in io.ovnk.overlay.node. Configure one, e.g. "
                        + "etc/io.ovnk.ovsdb.connection~sb.cfg with database = OVN_Southbound and remotes = tcp:HOST:6642");
            }
            List<String> command = Trace.command(southbound.remotes(), southbound.tls(), flow);
            String shown = Trace.display(command);
            TraceProcess.Outcome outcome;
            try {
                outcome = traceProcess.run(command, TRACE_TIMEOUT);
            } catch (java.io.IOException e) {
                return problem(args, "cannot run ovn-trace (" + e.getMessage() + "): install it (Debian: ovn-central "
                        + "or ovn-host) where this process runs\ncommand: " + shown);
            }
            String verdict = outcome.timedOut() ? "ovn-trace did not finish within " + TRACE_TIMEOUT.toSeconds()
                    + " s (is the Southbound " + southbound.remotes() + " reachable?): killed"
                    : Trace.verdict(outcome.exitCode(), outcome.output(), source.logicalPort()).text();
            if (args.json()) {
                return Render.json(new Trace.Result(shown, verdict, outcome.output()));
            }
            StringBuilder text = new StringBuilder("command  ").append(shown).append('\n')
                    .append("verdict  ").append(verdict).append('\n');
            if (args.has("-v") || args.has("--verbose")) {
                text.append('\n').append(outcome.output());
                if (!outcome.output().endsWith("\n")) {
                    text.append('\n');
                }
            }
            return text.toString();
        });
    }

    private static Pod pod(List<Pod> pods, Trace.Target target) {
        return pods.stream().filter(pod -> target.namespace().equals(pod.getMetadata().getNamespace())
                && target.pod().equals(pod.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pod " + target.namespace() + "/" + target.pod()
                        + " (see ovnk:pods " + target.namespace() + ")"));
    }

    /** The pod that holds the address, if any pod's annotation says so (to send to its MAC on the same switch). */
    private static Trace.Endpoint byAddress(List<Pod> pods, IpAddress address) {
        for (Pod pod : pods) {
            try {
                Trace.Endpoint endpoint = Trace.endpoint(pod);
                if (endpoint.addresses().stream().anyMatch(cidr -> cidr.address().equals(address))) {
                    return endpoint;
                }
            } catch (IllegalArgumentException e) {
                // not a pod with an address of its own
            }
        }
        return null;
    }

    /** The MAC of rtos-NODE from the Northbound cache, when this process monitors Logical_Router_Port. */
    private MacAddress routerMac(String node) {
        for (Map.Entry<Map<String, Object>, OvsdbClient> entry : clients()) {
            OvsdbClient client = entry.getValue();
            if ("OVN_Northbound".equals(client.database()) && client.cache().tables().contains("Logical_Router_Port")) {
                String mac = client.cache().read(cache -> cache.table("Logical_Router_Port").rows().stream()
                        .filter(row -> ("rtos-" + node).equals(row.string("name"))).map(row -> row.string("mac"))
                        .findFirst().orElse(null));
                if (mac != null) {
                    return MacAddress.parse(mac);
                }
            }
        }
        return null;
    }

    /** Where the Southbound is, and ovn-trace's TLS options for it. */
    record Southbound(String remotes, List<String> tls) {
    }

    Southbound southbound() {
        for (Map.Entry<Map<String, Object>, OvsdbClient> entry : clients()) {
            Map<String, Object> properties = entry.getKey();
            if ("OVN_Southbound".equals(entry.getValue().database()) || "OVN_Southbound".equals(properties.get("database"))) {
                Object remotes = properties.get("remotes");
                if (remotes != null && !remotes.toString().isBlank()) {
                    return southbound(remotes.toString(), properties.get("private.key"), properties.get("certificate"),
                            properties.get("ca.certificate"));
                }
            }
        }
        ConfigurationAdmin admin = configurationAdmin;
        if (admin != null) {
            try {
                Configuration[] node = admin.listConfigurations("(service.pid=io.ovnk.overlay.node)");
                Object remotes = node == null || node[0].getProperties() == null ? null
                        : node[0].getProperties().get("sb.remotes");
                if (remotes != null && !remotes.toString().isBlank()) {
                    return southbound(remotes.toString(), null, null, null);
                }
            } catch (java.io.IOException | InvalidSyntaxException e) {
                // no configuration to read: said as "no Southbound address"
            }
        }
        return null;
    }

    static Southbound southbound(String remotes, Object privateKey, Object certificate, Object caCertificate) {
        String normalized = String.join(",", Remote.parseList(remotes).stream().map(Remote::toString).toList());
        List<String> tls = new ArrayList<>();
        if (normalized.contains("ssl:") && privateKey != null && !privateKey.toString().isBlank()) {
            tls.addAll(List.of("--private-key=" + privateKey, "--certificate=" + certificate,
                    "--ca-cert=" + caCertificate));
        }
        return new Southbound(normalized, tls);
    }

    // ---- status

    Render.Status status() {
        Leadership leader = leadership;
        Render.Leader leads = leader == null ? new Render.Leader(false, null, null, null)
                : new Render.Leader(true, leader.identity(), leader.lease(), leader.since().toString());
        List<Render.Database> dbs = new ArrayList<>();
        for (Map.Entry<Map<String, Object>, OvsdbClient> entry : clients()) {
            OvsdbClient client = entry.getValue();
            dbs.add(new Render.Database(client.database(), Objects.toString(entry.getKey().get("remotes"), ""),
                    client.state().name().toLowerCase(Locale.ROOT), client.remote().map(Object::toString).orElse(""),
                    client.connections(), List.copyOf(new TreeSet<>(client.cache().tables()))));
        }
        dbs.sort(Comparator.comparing(Render.Database::database));
        Informers current = informers;
        Ipam allocator = ipam;
        String ipamText = allocator == null ? "not here (runs where io.ovnk.ipam is configured)"
                : allocator.allNodeSubnets().size() + (allocator.allNodeSubnets().size() == 1 ? " node holds" : " nodes hold")
                        + " subnets of " + allocator.clusterSubnets();
        return new Render.Status(property("ovnk.roles"), property("ovnk.mode"), modeProviders(), leads, dbs,
                current == null ? null : current.queues(),
                current == null ? "no informers: io.ovnk.kube is not configured or its client is not up" : null,
                ipamText, health.check());
    }

    private String property(String name) {
        String value = context.getProperty(name);
        return value == null || value.isBlank() ? "(not set: not started by bin/ovnkube)" : value;
    }

    /** The mode SPI services registered now, as "PodPortBinder overlay". */
    private List<String> modeProviders() {
        List<String> providers = new ArrayList<>();
        for (String type : List.of("io.ovnk.network.spi.PodPortBinder", "io.ovnk.network.spi.PodPlumber")) {
            try {
                ServiceReference<?>[] references = context.getAllServiceReferences(type, null);
                for (ServiceReference<?> reference : references == null ? new ServiceReference<?>[0] : references) {
                    providers.add(type.substring(type.lastIndexOf('.') + 1) + " " + reference.getProperty("ovnk.mode"));
                }
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        providers.sort(null);
        return providers;
    }

    private List<Map.Entry<Map<String, Object>, OvsdbClient>> clients() {
        List<Map.Entry<Map<String, Object>, OvsdbClient>> current = databases;
        return current == null ? List.of() : current;
    }

    // ---- Kubernetes listings

    private record Listing<T>(List<T> objects, String warning) {
    }

    private <T extends HasMetadata> String kube(Args args, Class<T> type, String namespace, Function<List<T>, String> show) {
        Informers current = informers;
        if (current == null) {
            return problem(args, "no informers: io.ovnk.kube is not configured or its client is not up (see ovnk:health)");
        }
        Listing<T> listing = list(current, type, namespace);
        String text = show.apply(listing.objects());
        return listing.warning() == null || args.json() ? text : text + listing.warning() + "\n";
    }

    private static <T extends HasMetadata> Listing<T> list(Informers informers, Class<T> type, String namespace) {
        if (informers == null) {
            return new Listing<>(List.of(), null);
        }
        Lister<T> lister = informers.lister(type);
        String warning = null;
        try {
            lister.synced().toCompletableFuture().get(SYNC_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            warning = "! the " + type.getSimpleName() + " informer has not finished its first list within " + SYNC_SECONDS
                    + " s: this may be incomplete";
        } catch (ExecutionException e) {
            warning = "! the " + type.getSimpleName() + " informer could not start: " + e.getCause().getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            warning = "! interrupted while waiting for the " + type.getSimpleName() + " informer";
        }
        return new Listing<>(namespace == null ? lister.list() : lister.list(namespace), warning);
    }

    // ---- arguments and errors

    private static String run(String[] words, int minimum, int maximum, String usage, Function<Args, String> command) {
        return run(words, Set.of(), minimum, maximum, usage, command);
    }

    private static String run(String[] words, Set<String> flags, int minimum, int maximum, String usage,
            Function<Args, String> command) {
        Args args;
        try {
            args = Args.parse(flags, words == null ? new String[0] : words);
        } catch (IllegalArgumentException e) {
            return e.getMessage() + "\nusage: " + usage + "\n";
        }
        if (args.positional().size() < minimum || args.positional().size() > maximum) {
            return problem(args, "usage: " + usage);
        }
        try {
            return command.apply(args);
        } catch (IllegalArgumentException e) {
            return problem(args, e.getMessage());
        }
    }

    private static String problem(Args args, String message) {
        return args.json() ? Render.json(Map.of("error", message)) : message + "\n";
    }
}
