package io.ovnk.gateway.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import io.ovnk.kube.Annotator;
import io.ovnk.ovsdb.OvsdbClient;
import java.time.Duration;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's node side, where {@code io.ovnk.gateway.node} is configured: {@link NodeGateway} on its own
 * thread. Deactivation leaves the bridge and the annotation in place.
 */
@Component(immediate = true, configurationPid = GatewayNodeComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = GatewayNodeComponent.Config.class)
public final class GatewayNodeComponent {

    static final String PID = "io.ovnk.gateway.node";

    @ObjectClassDefinition(name = "ovnk gateway (node side)", description = "This node's external bridge, its uplink "
            + "and the k8s.ovn.org/l3-gateway-config annotation (shared gateway mode)")
    public @interface Config {
        @AttributeDefinition(description = "This node's Kubernetes Node name")
        String node_name();

        @AttributeDefinition(description = "The external bridge")
        String bridge() default "br-ex";

        @AttributeDefinition(description = "The interface to the physical network, made a port of the bridge")
        String uplink();

        @AttributeDefinition(description = "The physical network name mapped to the bridge (ovn-bridge-mappings)")
        String physnet() default "physnet";

        @AttributeDefinition(description = "The node's address on the external network, CIDR; empty: the uplink's",
                required = false)
        String ip() default "";

        @AttributeDefinition(description = "The node's MAC; empty: the uplink's", required = false)
        String mac() default "";

        @AttributeDefinition(description = "The next hop out; empty: the default route's gateway", required = false)
        String next_hop() default "";

        @AttributeDefinition(description = "VLAN of the external network; 0: untagged", min = "0", max = "4094")
        int vlan() default 0;

        @AttributeDefinition(description = "The named network namespace where OVS's datapath and the uplink live; "
                + "empty for this process's own", required = false)
        String host_netns() default "";

        @AttributeDefinition(description = "Datapath of the bridge", options = { @Option(value = "system"),
            @Option(value = "netdev") })
        String datapath_type() default "system";

        @AttributeDefinition(description = "Announce NodePorts on this node (node-port-enable)")
        boolean node_port_enable() default true;

        @AttributeDefinition(description = "Deadline of one command or transaction (ms)", min = "1")
        long step_timeout_ms() default 30_000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(GatewayNodeComponent.class);

    private final NodeGateway gateway;

    @Activate
    public GatewayNodeComponent(Config config, @Reference(target = "(database=Open_vSwitch)") OvsdbClient openVswitch,
            @Reference Annotator annotator, @Reference KubernetesClient client) {
        NodeGateway.Settings settings;
        try {
            settings = settings(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; the gateway node does not start", PID, e.getMessage());
            throw e;
        }
        Duration timeout = Duration.ofMillis(config.step_timeout_ms());
        gateway = new NodeGateway(settings, new ExternalBridge(openVswitch, timeout), new Uplink(settings.hostNetns(),
                timeout), annotator, new Problems(client, "ovnk-gateway-node"));
        LOG.info("node {}: gateway node starts (bridge {}, uplink {}, {}, datapath {})", settings.node(),
                settings.bridge(), settings.uplink(), settings.physnet(), settings.datapathType());
        gateway.start();
    }

    static NodeGateway.Settings settings(Config config) {
        if (config.node_name() == null || config.node_name().isBlank()) {
            throw new IllegalArgumentException("node.name is required");
        }
        if (config.uplink() == null || config.uplink().isBlank()) {
            throw new IllegalArgumentException("uplink is required");
        }
        return new NodeGateway.Settings(config.node_name(), config.bridge(), config.uplink(), config.physnet(),
                parse("ip", config.ip(), Cidr::parse), parse("mac", config.mac(), MacAddress::parse),
                parse("next.hop", config.next_hop(), IpAddress::parse), config.vlan(), config.host_netns(),
                config.datapath_type(), config.node_port_enable());
    }

    private static <T> Optional<T> parse(String key, String value, java.util.function.Function<String, T> parser) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(value.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": \"" + value + "\": " + e.getMessage(), e);
        }
    }

    @Deactivate
    void deactivate() {
        gateway.close();
        LOG.info("gateway node stopped; br-ex and the annotation stay");
    }
}
