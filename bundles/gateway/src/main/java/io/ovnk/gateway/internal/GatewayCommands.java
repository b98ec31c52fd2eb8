package io.ovnk.gateway.internal;

import io.ovnk.ovsdb.OvsdbClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gogo {@code gateway:cleanup}: stops and disables this process's gateway master ({@link GatewayMasterComponent},
 * through SCR), then removes every Northbound row the gateway made, and nothing else, printing each; and
 * {@code gateway:enable}, which enables the master again. Wiring only: {@link CleanupCommand} decides.
 */
@Component(service = Object.class, property = { "osgi.command.scope=gateway", "osgi.command.function=cleanup",
    "osgi.command.function=enable" })
public final class GatewayCommands {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayCommands.class);

    private final CleanupCommand.MasterSwitch master;

    @Reference(target = "(database=OVN_Northbound)", cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile OvsdbClient northbound;

    @Activate
    public GatewayCommands(BundleContext context, @Reference ServiceComponentRuntime scr) {
        this.master = new ScrMasterSwitch(scr, context.getBundle(), Duration.ofSeconds(60));
    }

    public String cleanup() {
        OvsdbClient client = northbound;
        Optional<Supplier<List<String>>> remover = Optional.ofNullable(client).map(c -> () -> {
            List<String> removed = new GatewayCleanup(new Northbound(c, Duration.ofSeconds(60))).run();
            LOG.info("gateway:cleanup removed {} Northbound rows", removed.size());
            return removed;
        });
        LOG.info("gateway:cleanup: stopping the gateway master of this process");
        return new CleanupCommand(master, remover).cleanup();
    }

    public String enable() {
        String outcome = new CleanupCommand(master, Optional.empty()).enable();
        LOG.info("gateway:enable: {}", outcome);
        return outcome;
    }
}
