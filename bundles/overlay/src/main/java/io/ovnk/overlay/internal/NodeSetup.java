package io.ovnk.overlay.internal;

import io.fabric8.kubernetes.api.model.Node;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.MacAddress;
import io.ovnk.kube.AnnotationException;
import io.ovnk.kube.Annotator;
import io.ovnk.kube.KubeException;
import io.ovnk.kube.Lister;
import io.ovnk.kube.NodeSubnetsAnnotation;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.ResourceHandler;
import io.ovnk.network.spi.Readiness;
import io.ovnk.ovsdb.OvsdbClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up this node for the overlay, step by step on its own thread: the Open_vSwitch row's OVN configuration
 * (system-id kept or made, hostname, ovn-remote, encapsulation), the integration bridge, the
 * {@code node-chassis-id} annotation, then, once the master annotated the node's subnets, the management port
 * (OVS internal port, its address and routes to the cluster and service CIDRs) and the
 * {@code node-mgmt-port-mac-address} annotation. Every step is idempotent; a failing one is retried with capped
 * exponential backoff and logged once per kind of failure. Waiting for the node's subnets is event-driven: the
 * node's informer handler asks for another run. Readiness says where it stands.
 */
final class NodeSetup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeSetup.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);

    private final NodeSettings settings;
    private final LocalOvs ovs;
    private final Links links;
    private final Supplier<Lister<Node>> nodes;
    private final Annotator annotator;
    private final Duration stepTimeout;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean runRequested = new AtomicBoolean();
    private final CompletableFuture<Void> firstReady = new CompletableFuture<>();
    private final ResourceHandler<Node> handler;
    /** Per step, the kind of its last logged failure: a WARN is written when the kind changes. */
    private final Map<String, String> failureKinds = new HashMap<>();
    private final Map<String, Integer> failureCounts = new HashMap<>();

    private Lister<Node> lister;
    private Duration nextRetry = FIRST_RETRY;
    private ScheduledFuture<?> retry;
    private volatile String systemId;
    private volatile String managementMac;
    /** The node's annotations as the last complete run left them; a node change that differs asks for a run. */
    private volatile Map<String, String> applied;
    private volatile boolean complete;
    private volatile String status = "starting";
    /** The last failure of a step that has not succeeded since, for readiness. */
    private volatile String lastFailure;
    private String lastWaiting = "";
    private volatile boolean closed;

    NodeSetup(NodeSettings settings, LocalOvs ovs, Links links, Supplier<Lister<Node>> nodes, Annotator annotator,
            Duration stepTimeout) {
        this.settings = settings;
        this.ovs = ovs;
        this.links = links;
        this.nodes = nodes;
        this.annotator = annotator;
        this.stepTimeout = stepTimeout;
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "ovnk-overlay-node-" + settings.nodeName());
            thread.setDaemon(true);
            return thread;
        });
        pool.setRemoveOnCancelPolicy(true);
        this.executor = pool;
        this.handler = newHandler();
    }

    /** Begins (on the set-up thread; nothing is done by the caller). */
    void start() {
        requestRun();
    }

    /** The handler that feeds this node's changes in (always the same object); register it with the informers. */
    ResourceHandler<Node> nodeHandler() {
        return handler;
    }

    private ResourceHandler<Node> newHandler() {
        return new ResourceHandler<>() {
            @Override
            public Class<Node> resourceType() {
                return Node.class;
            }

            @Override
            public void added(Node node) {
                if (settings.nodeName().equals(node.getMetadata().getName())) {
                    nodeChanged(node);
                }
            }

            @Override
            public void deleted(Node node) {
                if (settings.nodeName().equals(node.getMetadata().getName())) {
                    LOG.warn("node {}: deleted from the cluster; the node set-up stays as it is", settings.nodeName());
                }
            }
        };
    }

    void nodeChanged(Node node) {
        Map<String, String> annotations = node.getMetadata().getAnnotations() == null ? Map.of()
                : node.getMetadata().getAnnotations();
        Map<String, String> last = applied;
        if (complete && last != null && last.entrySet().stream()
                .allMatch(e -> Objects.equals(annotations.get(e.getKey()), e.getValue()))) {
            return; // a status update or someone else's annotation: nothing of ours changed
        }
        requestRun();
    }

    /** Whether pods can be plumbed: set-up complete and the local Open_vSwitch database connected. */
    Readiness readiness() {
        if (closed) {
            return Readiness.notReady("node " + settings.nodeName() + ": the overlay node set-up is stopped");
        }
        if (!complete) {
            String failure = lastFailure;
            return Readiness.notReady("node " + settings.nodeName() + ": set-up not complete: " + status
                    + (failure == null ? "" : "; last failure: " + failure));
        }
        if (ovs.client().state() != OvsdbClient.State.CONNECTED) {
            return Readiness.notReady("node " + settings.nodeName() + ": not connected to the local Open_vSwitch database");
        }
        return Readiness.READY;
    }

    /** Completes when the set-up first completed. */
    CompletableFuture<Void> ready() {
        return firstReady;
    }

    /** The chassis's system-id, once known. */
    Optional<String> systemId() {
        return Optional.ofNullable(systemId);
    }

    Optional<String> managementMac() {
        return Optional.ofNullable(managementMac);
    }

    String status() {
        return status;
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        firstReady.completeExceptionally(new IllegalStateException("node set-up stopped"));
    }

    private void requestRun() {
        if (closed || !runRequested.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::run);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            runRequested.set(false);
        }
    }

    // ---- the steps (set-up thread only)

    private void run() {
        runRequested.set(false);
        if (closed) {
            return;
        }
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        String node = settings.nodeName();
        String step = "";
        try {
            step = "monitoring the local Open_vSwitch database";
            status = step;
            if (!ovs.monitoring()) {
                LocalOvs.await(ovs.start(), "monitor of Open_vSwitch, Bridge, Port, Interface", stepTimeout);
            }
            succeeded(step);

            step = "Open_vSwitch external_ids";
            status = "setting " + step;
            LocalOvs.ExternalIds ids = ovs.ensureExternalIds(externalIds(), UUID.randomUUID().toString(), stepTimeout);
            String id = ids.systemId();
            if (ids.changed()) {
                LOG.info("node {}: Open_vSwitch external_ids set: system-id {}, ovn-remote {}, {} encapsulation at {}",
                        node, id, settings.sbRemotes(), settings.encapType(), settings.encapIp());
            }
            systemId = id;
            succeeded(step);

            step = "bridge " + settings.bridge();
            status = "creating " + step;
            if (ovs.ensureBridge(settings.bridge(), settings.datapathType(), stepTimeout)) {
                LOG.info("node {}: bridge {} set up (datapath {}, fail_mode secure)", node, settings.bridge(),
                        settings.datapathType());
            }
            succeeded(step);

            if (lister == null) {
                lister = nodes.get();
            }
            Optional<Node> current = lister.get(null, node);
            if (current.isEmpty()) {
                waiting("waiting for Node " + node + " to exist");
                return;
            }
            step = "annotation " + OvnAnnotations.NODE_CHASSIS_ID;
            status = "writing " + step;
            annotate(current.get(), OvnAnnotations.NODE_CHASSIS_ID, id);
            succeeded(step);

            step = "annotation " + OvnAnnotations.NODE_SUBNETS;
            status = "reading " + step;
            Optional<NodeSubnetsAnnotation> subnets = OvnAnnotations.read(current.get(), OvnAnnotations.NODE_SUBNETS,
                    NodeSubnetsAnnotation::parse);
            if (subnets.isEmpty() || subnets.get().defaultNetwork().isEmpty()) {
                waiting("waiting for the master to annotate " + OvnAnnotations.NODE_SUBNETS + " on node " + node);
                return;
            }
            List<Cidr> nodeSubnets = subnets.get().defaultNetwork();
            Map<String, String> last = applied;
            if (complete && last != null && !Objects.equals(last.get(OvnAnnotations.NODE_SUBNETS),
                    annotations(current.get()).get(OvnAnnotations.NODE_SUBNETS))) {
                complete = false; // pods plumbed now would get the old subnets' gateway
                LOG.warn("node {}: {} changed to {}; the management port follows", node, OvnAnnotations.NODE_SUBNETS,
                        nodeSubnets);
            }
            succeeded(step);

            step = "management port " + NodeSettings.MANAGEMENT_PORT + " in OVS";
            status = "creating " + step;
            MacAddress mac = MacAddress.forAddress(nodeSubnets.get(0).network().plus(2));
            if (ovs.ensureInternalPort(settings.bridge(), NodeSettings.MANAGEMENT_PORT, mac.toString(), settings.mtu(),
                    settings.managementPortName(), stepTimeout)) {
                LOG.info("node {}: management port {} on {} (MAC {}, iface-id {})", node, NodeSettings.MANAGEMENT_PORT,
                        settings.bridge(), mac, settings.managementPortName());
            }
            LocalOvs.await(ovs.awaitOfport(NodeSettings.MANAGEMENT_PORT, stepTimeout),
                    "an OpenFlow port for " + NodeSettings.MANAGEMENT_PORT + " from ovs-vswitchd", stepTimeout);
            succeeded(step);

            step = "management port " + NodeSettings.MANAGEMENT_PORT + " addresses and routes";
            status = "configuring " + step;
            links.hostBatch(managementCommands(nodeSubnets), stepTimeout);
            succeeded(step);

            step = "annotation " + OvnAnnotations.NODE_MGMT_PORT_MAC;
            status = "writing " + step;
            annotate(current.get(), OvnAnnotations.NODE_MGMT_PORT_MAC, mac.toString());
            managementMac = mac.toString();
            succeeded(step);

            Map<String, String> done = new LinkedHashMap<>();
            done.put(OvnAnnotations.NODE_SUBNETS, current.get().getMetadata().getAnnotations().get(OvnAnnotations.NODE_SUBNETS));
            done.put(OvnAnnotations.NODE_CHASSIS_ID, id);
            done.put(OvnAnnotations.NODE_MGMT_PORT_MAC, mac.toString());
            applied = Map.copyOf(done);
            nextRetry = FIRST_RETRY;
            status = "complete";
            if (!complete) {
                LOG.info("node {}: overlay set-up complete: management port {} at {}, routes to {} and {}", node,
                        NodeSettings.MANAGEMENT_PORT, managementAddresses(nodeSubnets), settings.clusterSubnets(),
                        settings.serviceCidrs());
            }
            complete = true;
            firstReady.complete(null);
        } catch (AnnotationException e) {
            // the master's annotation does not parse: nothing to retry until it changes (the handler asks then)
            failed(step, e, false);
        } catch (Exception e) {
            if (closed || Thread.currentThread().isInterrupted()) {
                return;
            }
            failed(step, e, true);
        }
    }

    private Map<String, String> externalIds() {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("hostname", settings.nodeName());
        if (!settings.sbRemotes().isEmpty()) {
            ids.put("ovn-remote", settings.sbRemotes());
        }
        ids.put("ovn-encap-type", settings.encapType());
        ids.put("ovn-encap-ip", settings.encapIp());
        // for a bridge ovn-controller would create or fix itself: the same datapath as ours
        ids.put("ovn-bridge-datapath-type", settings.datapathType());
        if (!settings.bridge().equals("br-int")) {
            ids.put("ovn-bridge", settings.bridge());
        }
        return ids;
    }

    /** {@code ip -batch} lines: the port up, its .2 address(es), routes to the cluster and service CIDRs via .1. */
    List<String> managementCommands(List<Cidr> nodeSubnets) {
        String dev = NodeSettings.MANAGEMENT_PORT;
        List<String> lines = new ArrayList<>();
        lines.add("link set " + dev + " up");
        for (Cidr subnet : nodeSubnets) {
            lines.add("addr replace " + subnet.network().plus(2) + "/" + subnet.prefixLength() + " dev " + dev);
        }
        List<Cidr> destinations = new ArrayList<>(settings.clusterSubnets());
        destinations.addAll(settings.serviceCidrs());
        for (Cidr destination : destinations) {
            Family family = destination.family();
            nodeSubnets.stream().filter(subnet -> subnet.family() == family).findFirst().ifPresent(subnet -> lines.add(
                    "route replace " + destination + " via " + subnet.network().plus(1) + " dev " + dev));
        }
        return lines;
    }

    private static List<String> managementAddresses(List<Cidr> nodeSubnets) {
        return nodeSubnets.stream().map(s -> s.network().plus(2) + "/" + s.prefixLength()).toList();
    }

    private void annotate(Node node, String annotation, String value) {
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        if (annotations != null && value.equals(annotations.get(annotation))) {
            return;
        }
        AtomicBoolean written = new AtomicBoolean();
        try {
            annotator.annotate(node, latest -> {
                // the informer's copy may be behind: the last (fresh) read decides
                written.set(!value.equals(annotations(latest).get(annotation)));
                return written.get() ? Map.of(annotation, value) : Map.of();
            });
        } catch (KubeException.NotFound gone) {
            throw new IllegalStateException("node " + settings.nodeName() + " is gone", gone);
        }
        if (written.get()) {
            LOG.info("node {}: annotated {} = {}", settings.nodeName(), annotation, value);
        }
    }

    private static Map<String, String> annotations(Node node) {
        return node.getMetadata().getAnnotations() == null ? Map.of() : node.getMetadata().getAnnotations();
    }

    private void waiting(String what) {
        if (!what.equals(lastWaiting)) {
            LOG.info("node {}: {}", settings.nodeName(), what);
        }
        lastWaiting = what;
        status = what;
        nextRetry = FIRST_RETRY;
    }

    private void succeeded(String step) {
        Integer failures = failureCounts.remove(step);
        failureKinds.remove(step);
        if (failures != null) {
            lastFailure = null;
            LOG.info("node {}: {} succeeded after {} failed attempt(s)", settings.nodeName(), step, failures);
        }
    }

    private void failed(String step, Exception e, boolean retrying) {
        String kind = e.getClass().getName() + (e.getCause() != null ? "/" + e.getCause().getClass().getName() : "");
        int failures = failureCounts.merge(step, 1, Integer::sum);
        status = step + " failed: " + e.getMessage();
        lastFailure = status;
        long delay = nextRetry.toMillis();
        String next = retrying ? "retrying in " + delay + " ms" : "waiting for the node to change";
        if (!kind.equals(failureKinds.put(step, kind))) {
            LOG.warn("node {}: {} failed: {}; {} (further failures like this are logged at DEBUG)",
                    settings.nodeName(), step, e.getMessage(), next);
        } else {
            LOG.debug("node {}: {} failed again ({} times): {}; {}", settings.nodeName(), step, failures,
                    e.getMessage(), next);
        }
        if (retrying) {
            nextRetry = Duration.ofMillis(Math.min(MAX_RETRY.toMillis(), delay * 2));
            retry = executor.schedule(this::requestRun, delay, TimeUnit.MILLISECONDS);
        }
    }
}
