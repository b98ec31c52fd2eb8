package io.ovnk.runtime.internal.launcher;

import java.util.Arrays;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code etc/io.ovnk.launcher.cfg} is read by bin/ovnkube before the framework starts; this component gives
 * it a metatype (so typos are reported like any other file's) and says plainly when an edit differs from
 * what runs, because roles and mode only change at the next start.
 */
@Component(immediate = true, service = {}, configurationPid = "io.ovnk.launcher")
@Designate(ocd = LauncherSettings.Config.class)
public final class LauncherSettings {

    @ObjectClassDefinition(name = "ovnk launcher", description = "Which parts of ovnk this process runs; read by "
            + "bin/ovnkube at start, so a change takes effect at the next start")
    public @interface Config {
        @AttributeDefinition(description = "master (subnets, addresses, the OVN Northbound topology), node "
                + "(local OVS, CNI), or both", options = { @Option(label = "master", value = "master"),
                    @Option(label = "node", value = "node") })
        String[] roles() default { "master", "node" };

        @AttributeDefinition(description = "How pods attach", options = {
            @Option(label = "overlay: a logical switch per node", value = "overlay"),
            @Option(label = "underlay: containers inside VMs", value = "underlay") })
        String mode() default "overlay";

        @AttributeDefinition(description = "Further features from features/, e.g. gateway", required = false)
        String[] features() default {};
    }

    private static final Logger LOG = LoggerFactory.getLogger("io.ovnk.runtime");

    private final String runningRoles;
    private final String runningMode;
    /** The command-line flags that chose this run's roles, mode or features; null when etc/ did. */
    private final String chosenByFlags;

    @Activate
    public LauncherSettings(BundleContext context, Config config) {
        this.runningRoles = normalise(context.getProperty("ovnk.roles"));
        this.runningMode = context.getProperty("ovnk.mode");
        this.chosenByFlags = context.getProperty("ovnk.launcher.flags");
        compare(config);
    }

    @Modified
    void modified(Config config) {
        compare(config);
    }

    private void compare(Config config) {
        if (runningRoles == null || runningMode == null) {
            return; // not started by bin/ovnkube (a test framework): nothing to compare with
        }
        String roles = normalise(String.join(",", config.roles()));
        if (chosenByFlags != null) {
            if (!roles.equals(runningRoles) || !config.mode().equals(runningMode)) {
                LOG.info("io.ovnk.launcher: this run's roles {} and mode {} come from the flags {}; roles {} and mode "
                        + "{} apply to runs without them", runningRoles, runningMode, chosenByFlags, roles, config.mode());
            }
            return;
        }
        if (!roles.equals(runningRoles) || !config.mode().equals(runningMode)) {
            LOG.warn("io.ovnk.launcher: roles {} and mode {} differ from the running roles {} and mode {}; "
                    + "they take effect at the next start", roles, config.mode(), runningRoles, runningMode);
        }
    }

    private static String normalise(String roles) {
        if (roles == null) {
            return null;
        }
        List<String> list = Arrays.stream(roles.split(",")).map(String::strip).filter(r -> !r.isEmpty()).sorted().toList();
        return String.join(",", list);
    }
}
