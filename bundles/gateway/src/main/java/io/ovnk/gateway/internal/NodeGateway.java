package io.ovnk.gateway.internal;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import io.ovnk.kube.Annotator;
import io.ovnk.kube.L3GatewayConfig;
import io.ovnk.kube.OvnAnnotations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node side of the shared gateway, on its own thread: read the uplink (IP, MAC, next hop unless configured),
 * make {@code br-ex} hold it with {@code ovn-bridge-mappings}, publish {@code k8s.ovn.org/l3-gateway-config}.
 * A step that fails is retried with capped backoff; a missing or unusable uplink is one ERROR line and one
 * Warning Event on the Node naming the interface (again only when the reason changes). Nothing else on the node
 * stops: east-west networking does not depend on this. The uplink's addresses are not moved to the bridge.
 */
final class NodeGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeGateway.class);

    /** The node's gateway configuration ({@code io.ovnk.gateway.node}). */
    record Settings(String node, String bridge, String uplink, String physnet, Optional<Cidr> ip, Optional<MacAddress> mac,
            Optional<IpAddress> nextHop, int vlan, String hostNetns, String datapathType, boolean nodePorts) {
    }

    private final Settings settings;
    private final ExternalBridge bridge;
    private final Uplink uplink;
    private final Annotator annotator;
    private final Problems problems;
    private final ScheduledExecutorService executor;
    private final CompletableFuture<L3GatewayConfig> done = new CompletableFuture<>();
    private volatile boolean closed;
    private String lastProblem = "";

    NodeGateway(Settings settings, ExternalBridge bridge, Uplink uplink, Annotator annotator, Problems problems) {
        this.settings = settings;
        this.bridge = bridge;
        this.uplink = uplink;
        this.annotator = annotator;
        this.problems = problems;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ovnk-gateway-node");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts; the future completes with the published annotation. */
    CompletableFuture<L3GatewayConfig> start() {
        executor.execute(() -> attempt(Duration.ofMillis(200)));
        return done.copy();
    }

    private void attempt(Duration pause) {
        if (closed) {
            return;
        }
        try {
            done.complete(setUp());
            return;
        } catch (Uplink.Problem e) {
            if (!e.getMessage().equals(lastProblem)) {
                lastProblem = e.getMessage();
                LOG.error("node {}: {}; no north-south gateway on this node until it is fixed (east-west traffic is "
                        + "unaffected); checking again", settings.node(), e.getMessage());
                problems.event(node(), "GatewayUplinkProblem", "node " + settings.node() + ": " + e.getMessage());
            }
        } catch (RuntimeException e) {
            if (!e.toString().equals(lastProblem)) {
                lastProblem = e.toString();
                LOG.warn("node {}: gateway set-up failed ({}); trying again", settings.node(), e.toString());
            }
        }
        Duration longer = pause.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30)
                : pause.multipliedBy(2);
        executor.schedule(() -> attempt(longer), pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Node node() {
        return new NodeBuilder().withApiVersion("v1").withKind("Node").withNewMetadata().withName(settings.node())
                .endMetadata().build();
    }

    private L3GatewayConfig setUp() throws Uplink.Problem {
        Uplink.Facts facts = uplink.read(settings.uplink());
        Cidr ip = settings.ip().or(facts::address).orElseThrow(() -> new Uplink.Problem("uplink " + settings.uplink()
                + ": has no IPv4 address and none is configured (ip)"));
        MacAddress mac = settings.mac().orElse(facts.mac());
        List<IpAddress> nextHops = settings.nextHop().or(facts::defaultGateway).map(List::of).orElse(List.of());
        if (nextHops.isEmpty()) {
            LOG.warn("node {}: no next hop configured (next.hop) and no default route: the gateway router gets no "
                    + "default route", settings.node());
        }
        ExternalBridge.Outcome outcome = bridge.ensure(settings.bridge(), settings.uplink(), settings.physnet(),
                settings.datapathType());
        if (outcome.uplinkAdded()) {
            LOG.info("node {}: uplink {} is now a port of {}; its addresses stay on it ({}): with the kernel datapath "
                    + "the host reaches the network over {} only once they are moved to {}", settings.node(),
                    settings.uplink(), settings.bridge(), facts.address().map(Cidr::toString).orElse("none"),
                    settings.uplink(), settings.bridge());
        }
        L3GatewayConfig config = new L3GatewayConfig(Map.of(L3GatewayConfig.DEFAULT_NETWORK, new L3GatewayConfig.Gateway(
                L3GatewayConfig.Mode.SHARED, settings.bridge() + "_" + settings.node(), mac, List.of(ip), nextHops,
                settings.nodePorts(), settings.vlan())));
        String json = config.toJson();
        annotator.annotate(Node.class, null, settings.node(), current -> {
            Map<String, String> annotations = current.getMetadata().getAnnotations();
            return annotations != null && json.equals(annotations.get(OvnAnnotations.L3_GATEWAY_CONFIG)) ? Map.of()
                    : Map.of(OvnAnnotations.L3_GATEWAY_CONFIG, json);
        });
        LOG.info("node {}: shared gateway ready ({} holds {}, {}:{}, node IP {}, MAC {}, next hop {})", settings.node(),
                settings.bridge(), settings.uplink(), settings.physnet(), settings.bridge(), ip, mac, nextHops);
        return config;
    }

    @Override
    public void close() {
        closed = true;
        done.cancel(false);
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
