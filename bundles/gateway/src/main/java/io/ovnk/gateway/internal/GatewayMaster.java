package io.ovnk.gateway.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.kube.AnnotationException;
import io.ovnk.kube.Informers;
import io.ovnk.kube.L3GatewayConfig;
import io.ovnk.kube.NodeSubnetsAnnotation;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.ResourceHandler;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leadership term of the gateway's master side: what the former NodePort template layout left removed, the join
 * addresses rebuilt from the gateway routers in the Northbound, the gateway objects of Nodes that no longer exist
 * removed, the NodePorts of every Service indexed (each node's load balancers are rewritten from that index when
 * the term first handles the node, which drops the VIPs of Services that no longer exist), and then handlers for
 * Nodes, Services and EndpointSlices. Closing it stops the handlers and leaves everything programmed in place.
 */
final class GatewayMaster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayMaster.class);

    /** Where the handlers go: OSGi services, or an informer hub in tests. */
    @FunctionalInterface
    interface Registry {
        AutoCloseable register(ResourceHandler<?> handler, String name, int workers);
    }

    /** What the term needs from the outside. */
    record Settings(List<Cidr> clusterSubnets, Cidr joinSubnet, String physnet, NodePorts.Range range, int workers) {
    }

    private final Northbound nb;
    private final Informers informers;
    private final Problems problems;
    private final Registry registry;
    private final Settings settings;
    private final JoinAddresses joinAddresses;
    private final GatewayRouters routers;
    private final NodePorts nodePorts;
    private final ScheduledExecutorService executor;
    private final List<AutoCloseable> registrations = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final Map<String, Object> serviceLocks = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;

    GatewayMaster(Northbound nb, Informers informers, Problems problems, Registry registry, Settings settings) {
        this.nb = nb;
        this.informers = informers;
        this.problems = problems;
        this.registry = registry;
        this.settings = settings;
        this.joinAddresses = new JoinAddresses(settings.joinSubnet());
        this.routers = new GatewayRouters(nb, settings.clusterSubnets(), settings.physnet());
        this.nodePorts = new NodePorts(nb);
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ovnk-gateway-master");
            thread.setDaemon(true);
            return thread;
        });
    }

    JoinAddresses joinAddresses() {
        return joinAddresses;
    }

    /** Starts the term in the background; the future completes once the handlers are registered. */
    CompletableFuture<Void> start() {
        long begin = System.nanoTime();
        executor.execute(() -> attempt(begin, Duration.ofMillis(200)));
        return started.copy();
    }

    private void attempt(long begin, Duration pause) {
        if (closed) {
            return;
        }
        try {
            run();
            LOG.info("gateway master: handlers running, {} ms after the term began", (System.nanoTime() - begin) / 1_000_000);
            started.complete(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.completeExceptionally(e);
        } catch (Exception e) {
            LOG.warn("gateway master: term not started ({}); trying again in {} ms", e.toString(), pause.toMillis());
            Duration longer = pause.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30)
                    : pause.multipliedBy(2);
            executor.schedule(() -> attempt(begin, longer), pause.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void run() throws Exception {
        List<String> templates = new GatewayCleanup(nb).templates();
        if (!templates.isEmpty()) {
            LOG.info("gateway master: removed {} rows of the former NodePort template layout: {}", templates.size(),
                    templates);
        }
        joinAddresses.clear();
        int recovered = 0;
        for (Map.Entry<String, Cidr> held : routers.joinAddresses().entrySet()) {
            if (joinAddresses.claim(held.getKey(), held.getValue().address())) {
                recovered++;
            } else {
                LOG.warn("node {}: gateway router join address {} is not usable (outside {}, reserved or another "
                        + "node's); it gets a new one", held.getKey(), held.getValue(), joinAddresses.subnet());
            }
        }
        for (Class<? extends HasMetadata> kind : List.of(Node.class, Service.class, EndpointSlice.class)) {
            informers.lister(kind).synced().toCompletableFuture().get(5, TimeUnit.MINUTES);
        }
        if (closed) {
            return;
        }
        Set<String> nodes = informers.lister(Node.class).list().stream().map(n -> n.getMetadata().getName())
                .collect(Collectors.toSet());
        int removed = 0;
        for (String node : routers.nodes()) {
            if (!nodes.contains(node)) {
                removeNode(node);
                removed++;
            }
        }
        Map<String, List<EndpointSlice>> slices = informers.lister(EndpointSlice.class).list().stream()
                .filter(slice -> owner(slice).isPresent()).collect(Collectors.groupingBy(slice ->
                        slice.getMetadata().getNamespace() + "/" + owner(slice).orElseThrow()));
        Map<String, NodePorts.Ports> services = new HashMap<>();
        for (Service service : informers.lister(Service.class).list()) {
            String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
            try {
                services.put(key, NodePorts.ports(service, slices.getOrDefault(key, List.of()), settings.range()));
            } catch (IllegalArgumentException e) {
                // its handler reports it; not indexed, its VIPs go when the term first rewrites each node
            }
        }
        nodePorts.seed(services);
        LOG.info("gateway master: recovered {} join addresses, removed the gateway objects of {} nodes that no longer "
                + "exist, {} Services with NodePorts", recovered, removed,
                services.values().stream().filter(p -> !p.isEmpty()).count());
        registrations.add(registry.register(nodeHandler(), "ovnk-gateway-nodes", settings.workers()));
        registrations.add(registry.register(serviceHandler(), "ovnk-gateway-services", settings.workers()));
        registrations.add(registry.register(sliceHandler(), "ovnk-gateway-endpointslices", settings.workers()));
    }

    // ---- nodes

    private ResourceHandler<Node> nodeHandler() {
        return new ResourceHandler<>() {
            @Override
            public Class<Node> resourceType() {
                return Node.class;
            }

            @Override
            public void added(Node node) {
                reconcileNode(node);
            }

            @Override
            public void deleted(Node node) {
                problems.clear(node, OvnAnnotations.L3_GATEWAY_CONFIG);
                removeNode(node.getMetadata().getName());
            }
        };
    }

    /** The node's gateway as its annotations say; empty when it has none (yet), or when they are unusable. */
    Optional<GatewaySpec> spec(Node node) {
        String name = node.getMetadata().getName();
        L3GatewayConfig.Gateway gateway;
        String chassis;
        List<Cidr> subnets;
        try {
            gateway = OvnAnnotations.read(node, OvnAnnotations.L3_GATEWAY_CONFIG, L3GatewayConfig::parse)
                    .map(L3GatewayConfig::defaultNetwork).orElse(null);
            if (gateway == null || gateway.mode() == L3GatewayConfig.Mode.DISABLED) {
                problems.clear(node, OvnAnnotations.L3_GATEWAY_CONFIG);
                return Optional.empty();
            }
            if (gateway.mode() != L3GatewayConfig.Mode.SHARED) {
                throw new AnnotationException(OvnAnnotations.describe(node), OvnAnnotations.L3_GATEWAY_CONFIG,
                        node.getMetadata().getAnnotations().get(OvnAnnotations.L3_GATEWAY_CONFIG),
                        "default.mode: \"" + gateway.mode().text() + "\" is not supported (only shared)");
            }
            if (gateway.ipAddresses().stream().noneMatch(c -> c.family() == io.ovnk.ipam.Family.IPV4)) {
                throw new AnnotationException(OvnAnnotations.describe(node), OvnAnnotations.L3_GATEWAY_CONFIG,
                        node.getMetadata().getAnnotations().get(OvnAnnotations.L3_GATEWAY_CONFIG),
                        "default.ip-addresses: no IPv4 address");
            }
            problems.clear(node, OvnAnnotations.L3_GATEWAY_CONFIG);
            chassis = OvnAnnotations.read(node, OvnAnnotations.NODE_CHASSIS_ID, OvnAnnotations::parseChassisId).orElse(null);
            subnets = OvnAnnotations.read(node, OvnAnnotations.NODE_SUBNETS, NodeSubnetsAnnotation::parse)
                    .map(NodeSubnetsAnnotation::defaultNetwork).orElse(List.of());
        } catch (AnnotationException e) {
            problems.report(node, e.annotation(), e.value(), "InvalidAnnotation", e.getMessage()
                    + " (its gateway is left as it is)");
            return null;
        }
        if (chassis == null || subnets.isEmpty()) {
            LOG.debug("node {}: gateway waits for {}", name, chassis == null ? OvnAnnotations.NODE_CHASSIS_ID
                    : OvnAnnotations.NODE_SUBNETS);
            return Optional.empty();
        }
        return Optional.of(new GatewaySpec(name, chassis, gateway.interfaceId(), gateway.macAddress(),
                gateway.ipAddresses(), gateway.nextHops(), gateway.vlanId(), subnets, gateway.nodePortEnable()));
    }

    void reconcileNode(Node node) {
        String name = node.getMetadata().getName();
        Optional<GatewaySpec> spec = spec(node);
        if (spec == null) {
            return; // unusable input: reported, left as it is until it changes
        }
        if (spec.isEmpty()) {
            removeNode(name); // a gateway disabled or withdrawn: its objects go, its join address is released
            return;
        }
        IpAddress address = joinAddresses.allocate(name);
        Cidr join = new Cidr(address, joinAddresses.subnet().prefixLength());
        Optional<IpAddress> nodePortIp = spec.get().nodePorts() ? Optional.of(spec.get().nodeIp()) : Optional.empty();
        if (nodePorts.node(name, nodePortIp, balancers -> routers.ensure(spec.get(), join, balancers))) {
            LOG.info("node {}: gateway router {} on chassis {} (join {}, node IP {})", name,
                    GatewayNames.gatewayRouter(name), spec.get().chassis(), join, spec.get().nodeIp());
        }
    }

    void removeNode(String node) {
        boolean removed = nodePorts.removeNode(node, () -> routers.remove(node));
        boolean released = joinAddresses.release(node);
        if (removed || released) {
            LOG.info("node {}: gateway removed{}", node, released ? ", join address released" : "");
        }
    }

    // ---- services

    private ResourceHandler<Service> serviceHandler() {
        return new ResourceHandler<>() {
            @Override
            public Class<Service> resourceType() {
                return Service.class;
            }

            @Override
            public void added(Service service) {
                reconcileService(service.getMetadata().getNamespace(), service.getMetadata().getName());
            }

            @Override
            public void deleted(Service service) {
                problems.clear(service, "spec.ports");
                reconcileService(service.getMetadata().getNamespace(), service.getMetadata().getName());
            }
        };
    }

    private ResourceHandler<EndpointSlice> sliceHandler() {
        return new ResourceHandler<>() {
            @Override
            public Class<EndpointSlice> resourceType() {
                return EndpointSlice.class;
            }

            @Override
            public void added(EndpointSlice slice) {
                owner(slice).ifPresent(service -> reconcileService(slice.getMetadata().getNamespace(), service));
            }

            @Override
            public void deleted(EndpointSlice slice) {
                added(slice);
            }
        };
    }

    private static Optional<String> owner(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        return Optional.ofNullable(labels == null ? null : labels.get("kubernetes.io/service-name"));
    }

    /** Reads the Service and its slices from the informers and makes its VIPs on every node's load balancers match. */
    void reconcileService(String namespace, String name) {
        String key = namespace + "/" + name;
        // the Service's and its slices' queues are different: one Service is programmed by one thread at a time
        synchronized (serviceLocks.computeIfAbsent(key, k -> new Object())) {
            Service service = informers.lister(Service.class).get(namespace, name).orElse(null);
            if (service == null) {
                if (nodePorts.service(key, NodePorts.Ports.NONE)) {
                    LOG.info("service {}: NodePorts removed", key);
                }
                return;
            }
            List<EndpointSlice> slices = informers.lister(EndpointSlice.class).list(namespace).stream()
                    .filter(slice -> owner(slice).filter(name::equals).isPresent()).toList();
            NodePorts.Ports ports;
            try {
                ports = NodePorts.ports(service, slices, settings.range());
            } catch (IllegalArgumentException e) {
                problems.report(service, "spec.ports", String.valueOf(service.getSpec().getPorts()), "InvalidNodePort",
                        "service " + key + ": " + e.getMessage() + " (its NodePorts are left as they are)");
                return;
            }
            problems.clear(service, "spec.ports");
            if (nodePorts.service(key, ports)) {
                LOG.debug("service {}: NodePorts {}", key, ports.byProtocol());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (AutoCloseable registration : registrations) {
            try {
                registration.close();
            } catch (Exception e) {
                LOG.debug("unregistering a gateway handler: {}", e.toString());
            }
        }
        registrations.clear();
        started.completeExceptionally(new IllegalStateException("the gateway master's term ended"));
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
