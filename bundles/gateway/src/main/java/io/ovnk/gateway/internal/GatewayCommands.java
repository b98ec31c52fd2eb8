package io.ovnk.gateway.internal;

import io.ovnk.ovsdb.OvsdbClient;
import java.time.Duration;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gogo {@code gateway:cleanup}: removes every Northbound row the gateway made, and nothing else, printing each.
 * A gateway master still running (this process leads and the bundle is active) re-creates what its next events
 * call for: stop the bundle first to remove the gateway for good.
 */
@Component(service = Object.class, property = { "osgi.command.scope=gateway", "osgi.command.function=cleanup" })
public final class GatewayCommands {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayCommands.class);

    @Reference(target = "(database=OVN_Northbound)", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile OvsdbClient northbound;

    public String cleanup() {
        OvsdbClient client = northbound;
        if (client == null) {
            return "no OVN_Northbound connection in this process (io.ovnk.ovsdb.connection with database = "
                    + "OVN_Northbound): nothing removed";
        }
        List<String> removed = new GatewayCleanup(new Northbound(client, Duration.ofSeconds(60))).run();
        LOG.info("gateway:cleanup removed {} Northbound rows", removed.size());
        StringBuilder text = new StringBuilder();
        removed.forEach(line -> text.append("removed ").append(line).append('\n'));
        return text.append(removed.size()).append(" gateway rows removed").toString();
    }
}
