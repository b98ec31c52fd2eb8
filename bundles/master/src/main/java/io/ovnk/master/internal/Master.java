package io.ovnk.master.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.Recovery;
import io.ovnk.ipam.RecoveryReport;
import io.ovnk.kube.AnnotationException;
import io.ovnk.kube.LegacyPodAnnotation;
import io.ovnk.kube.NodeSubnetsAnnotation;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.PodNetwork;
import io.ovnk.kube.PodNetworksAnnotation;
import io.ovnk.kube.ResourceHandler;
import io.ovnk.ovsdb.Row;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leadership term of the master: the cluster topology, then the allocator rebuilt from what the cluster
 * records (annotations), then what ovnk owns in the Northbound and no Kubernetes object backs removed, and only
 * then the controllers start, so nothing is allocated twice and nothing is removed that a controller just made.
 */
public final class Master implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Master.class);

    /** Where the controllers go once the term has started: OSGi services, or a hub in tests. */
    @FunctionalInterface
    public interface Registry {
        AutoCloseable register(ResourceHandler<?> handler, String name, int workers);
    }

    /** Worker counts of the controllers. */
    public record Workers(int nodes, int pods, int services) {
    }

    private final MasterContext context;
    private final Registry registry;
    private final Workers workers;
    private final java.util.concurrent.ScheduledExecutorService executor;
    private volatile Duration pause = Duration.ofMillis(200);
    private volatile long begin;
    private final PodHandler podHandler;
    private final List<AutoCloseable> registrations = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private volatile boolean closed;

    Master(MasterContext context, Registry registry, Workers workers) {
        this.context = context;
        this.registry = registry;
        this.workers = workers;
        this.podHandler = new PodHandler(context);
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ovnk-master");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The term's pod controller, as the work queue calls it (tests hand it stale copies). */
    PodHandler podHandler() {
        return podHandler;
    }

    /** Starts the term in the background; the future completes once the controllers run. */
    public CompletableFuture<Void> start() {
        begin = System.nanoTime();
        executor.execute(() -> {
            try {
                context.nb.start().get(2, TimeUnit.MINUTES);
                run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                started.completeExceptionally(e);
            } catch (Exception e) {
                LOG.error("master: could not monitor the Northbound: {}", e.toString());
                started.completeExceptionally(e);
            }
        });
        return started.copy();
    }

    private void run() {
        if (closed) {
            return;
        }
        try {
            context.topology.ensure();
        } catch (RuntimeException e) {
            LOG.warn("cluster topology not written ({}); trying again in {} ms", e.toString(), pause.toMillis());
            executor.schedule(this::run, pause.toMillis(), TimeUnit.MILLISECONDS);
            pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : pause.multipliedBy(2);
            return;
        }
        try {
            context.nb.client().cache().await(Northbound.ROUTER,
                    row -> OvnNames.CLUSTER_ROUTER.equals(row.string("name")), Duration.ofMinutes(1)).get();
            context.nb.client().cache().await(Northbound.LB_GROUP,
                    row -> OvnNames.CLUSTER_LB_GROUP.equals(row.string("name")), Duration.ofMinutes(1)).get();
            for (Class<? extends HasMetadata> kind : List.of(Node.class, Pod.class, Service.class, EndpointSlice.class)) {
                context.informers.lister(kind).synced().toCompletableFuture().get(5, TimeUnit.MINUTES);
            }
            if (closed) {
                return;
            }
            recover();
            cleanUp();
            ServiceHandler services = new ServiceHandler(context);
            registrations.add(registry.register(new NodeHandler(context), "ovnk-master-nodes", workers.nodes()));
            registrations.add(registry.register(podHandler, "ovnk-master-pods", workers.pods()));
            registrations.add(registry.register(services.services(), "ovnk-master-services", workers.services()));
            registrations.add(registry.register(services.slices(), "ovnk-master-endpointslices", workers.services()));
            LOG.info("master: controllers running, {} ms after the term began", (System.nanoTime() - begin) / 1_000_000);
            started.complete(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.completeExceptionally(e);
        } catch (Exception e) {
            LOG.error("master: could not start: {}", e.toString(), e);
            started.completeExceptionally(e);
        }
    }

    /** Rebuilds the allocator from the annotations, oldest objects first, so that the older of two claimants wins. */
    void recover() {
        context.ipam.clear();
        context.addresses.clear();
        int nodes = 0;
        int pods = 0;
        int conflicts = 0;
        List<Node> allNodes = context.informers.lister(Node.class).list().stream()
                .sorted(Comparator.comparing((Node n) -> String.valueOf(n.getMetadata().getCreationTimestamp()))
                        .thenComparing(n -> n.getMetadata().getName())).toList();
        for (Node node : allNodes) {
            List<Cidr> subnets;
            try {
                subnets = OvnAnnotations.read(node, OvnAnnotations.NODE_SUBNETS, NodeSubnetsAnnotation::parse)
                        .map(NodeSubnetsAnnotation::defaultNetwork).orElse(List.of());
            } catch (AnnotationException e) {
                context.problem(node, e);
                conflicts++;
                continue;
            }
            if (subnets.isEmpty()) {
                continue;
            }
            RecoveryReport report = context.ipam.recover(new Recovery(Map.of(node.getMetadata().getName(), subnets), List.of()));
            if (report.conflicts().isEmpty()) {
                nodes++;
            } else {
                conflicts++;
                context.problem(node, OvnAnnotations.NODE_SUBNETS, subnets.toString(), "SubnetConflict", "node "
                        + node.getMetadata().getName() + ": annotation " + OvnAnnotations.NODE_SUBNETS + ": "
                        + report.conflicts().get(0));
            }
        }
        List<Pod> allPods = context.informers.lister(Pod.class).list().stream().filter(PodHandler::wired)
                .sorted(Comparator.comparing((Pod p) -> String.valueOf(p.getMetadata().getCreationTimestamp()))
                        .thenComparing(PodHandler::key)).toList();
        for (Pod pod : allPods) {
            Optional<PodNetwork> network;
            try {
                network = OvnAnnotations.read(pod, OvnAnnotations.POD_NETWORKS, PodNetworksAnnotation::parse)
                        .map(PodNetworksAnnotation::defaultNetwork);
                if (network.isEmpty()) {
                    network = OvnAnnotations.read(pod, OvnAnnotations.LEGACY_POD, LegacyPodAnnotation::parse)
                            .map(old -> new PodNetwork(List.of(old.ipAddress()), old.macAddress(), List.of(old.gatewayIp()),
                                    List.of(), "primary"));
                }
            } catch (AnnotationException e) {
                context.problem(pod, e);
                conflicts++;
                continue;
            }
            if (network.isEmpty()) {
                continue;
            }
            String key = PodHandler.key(pod);
            String node = pod.getSpec().getNodeName();
            List<IpAddress> ips = network.get().ipAddresses().stream().map(Cidr::address).toList();
            RecoveryReport report = context.ipam.recover(new Recovery(Map.of(), ips.stream()
                    .map(ip -> new Recovery.AddressClaim(key, node, ip)).toList()));
            if (report.conflicts().isEmpty()) {
                context.addresses.put(key, new PodAddressBook.Entry(node, ips));
                pods++;
                continue;
            }
            conflicts++;
            Set<String> refused = report.conflicts().stream().map(RecoveryReport.Conflict::resource).collect(Collectors.toSet());
            List<IpAddress> accepted = ips.stream().filter(ip -> !refused.contains("address " + ip)).toList();
            context.ipam.releasePodAddresses(node, accepted); // all of a pod's addresses or none
            RecoveryReport.Conflict first = report.conflicts().get(0);
            String holder = ips.stream().map(context.addresses::holder).flatMap(Optional::stream).findFirst()
                    .map(other -> " (held by pod " + other + ")").orElse("");
            context.problem(pod, OvnAnnotations.POD_NETWORKS, ips.toString(), "AddressConflict", "pod " + key
                    + ": annotation " + OvnAnnotations.POD_NETWORKS + ": " + first + holder);
        }
        LOG.info("master: recovered {} node subnets and the addresses of {} pods from their annotations; {} conflicts",
                nodes, pods, conflicts);
    }

    /** Removes what ovnk owns in the Northbound and no Kubernetes object backs any more. */
    void cleanUp() {
        Set<String> nodes = context.informers.lister(Node.class).list().stream().map(n -> n.getMetadata().getName())
                .collect(Collectors.toSet());
        Set<String> pods = context.informers.lister(Pod.class).list().stream().filter(PodHandler::wired)
                .map(PodHandler::key).collect(Collectors.toSet());
        Set<String> services = context.informers.lister(Service.class).list().stream()
                .map(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()).collect(Collectors.toSet());
        int removed = 0;
        Set<String> staleNodes = new HashSet<>();
        for (Row row : context.nb.owned(Northbound.SWITCH, OvnNames.TYPE_NODE)) {
            staleNodes.add(OvnNames.owner(row));
        }
        for (Row row : context.nb.owned(Northbound.ROUTER_PORT, OvnNames.TYPE_NODE)) {
            staleNodes.add(OvnNames.owner(row));
        }
        staleNodes.removeAll(nodes);
        for (String node : staleNodes) {
            if (context.nodes.remove(node)) {
                removed++;
            }
        }
        for (Row row : context.nb.owned(Northbound.SWITCH_PORT, OvnNames.TYPE_POD)) {
            String owner = OvnNames.owner(row);
            int slash = owner.indexOf('/');
            if (!pods.contains(owner) && slash > 0 && context.pods.remove(owner.substring(0, slash), owner.substring(slash + 1))) {
                removed++;
            }
        }
        Set<String> staleServices = new HashSet<>();
        for (Row row : context.nb.owned(Northbound.LOAD_BALANCER, OvnNames.TYPE_SERVICE)) {
            staleServices.add(OvnNames.owner(row));
        }
        staleServices.removeAll(services);
        for (String service : staleServices) {
            int slash = service.indexOf('/');
            if (slash > 0 && context.services.remove(service.substring(0, slash), service.substring(slash + 1))) {
                removed++;
            }
        }
        LOG.info("master: removed {} stale Northbound objects that no Kubernetes object backs", removed);
    }

    /**
     * The mode changed: every wired pod's port gets the new mode's columns, on the master's own thread.
     *
     * @return completes once every pod was handed to the new mode (at once when the term has not started)
     */
    CompletableFuture<Void> rebindAll() {
        if (closed || !started.isDone() || started.isCompletedExceptionally()) {
            // a term that has not started yet binds with whatever mode is there when it does
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> {
            int pods = 0;
            for (Pod pod : context.informers.lister(Pod.class).list()) {
                if (closed) {
                    return;
                }
                try {
                    podHandler.added(pod);
                    pods++;
                } catch (RuntimeException e) {
                    LOG.warn("pod {}: not rebound to the new mode ({}); its own queue will retry it", PodHandler.key(pod),
                            e.toString());
                }
            }
            LOG.info("master: {} pods rebound to the network mode now active", pods);
        }, executor);
    }

    @Override
    public void close() {
        closed = true;
        for (AutoCloseable registration : registrations) {
            try {
                registration.close();
            } catch (Exception e) {
                LOG.debug("unregistering a controller: {}", e.toString());
            }
        }
        registrations.clear();
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.nb.close();
        started.completeExceptionally(new IllegalStateException("the master's term ended"));
    }
}
