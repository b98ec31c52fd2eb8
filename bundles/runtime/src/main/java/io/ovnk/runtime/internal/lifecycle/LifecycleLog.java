package io.ovnk.runtime.internal.lifecycle;

import io.ovnk.runtime.internal.RuntimePaths;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log lines that tell an operator what the process is doing as a whole: started (how long it took, what
 * runs, what does not and why), framework errors about bundles in one line each, stopping.
 */
@Component(immediate = true, service = {})
public final class LifecycleLog implements FrameworkListener, SynchronousBundleListener {

    private static final Logger LOG = LoggerFactory.getLogger("io.ovnk.runtime");

    private final BundleContext context;
    private final RuntimePaths paths;

    @Activate
    public LifecycleLog(BundleContext context) {
        this.context = context;
        this.paths = RuntimePaths.of(context);
        context.addFrameworkListener(this);
        context.addBundleListener(this);
    }

    @Deactivate
    void deactivate() {
        context.removeFrameworkListener(this);
        context.removeBundleListener(this);
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        switch (event.getType()) {
            case FrameworkEvent.STARTED -> started();
            case FrameworkEvent.ERROR -> LOG.error("{}: {}", describe(event.getBundle()), explain(event.getThrowable()));
            case FrameworkEvent.WARNING -> LOG.warn("{}: {}", describe(event.getBundle()), explain(event.getThrowable()));
            default -> {
                // start level and refresh events are not news
            }
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        // the system bundle's STOPPING is the first sign of a shutdown, before any component deactivates
        if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == 0) {
            LOG.info("ovnk stopping: deactivating every component");
        }
    }

    private void started() {
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        int active = 0;
        List<String> notActive = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getState() == Bundle.ACTIVE) {
                active++;
            } else if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                notActive.add(bundle.getSymbolicName());
                if (!inDeploy(bundle)) { // deploy/ bundles have their own lines (DeployLog)
                    List<String> missing = MissingRequirements.of(bundle, wiring);
                    LOG.warn("{}: is {}{}", describe(bundle), state(bundle.getState()),
                            missing.isEmpty() ? "" : ": " + String.join(", ", missing));
                }
            }
        }
        LOG.info("ovnk started in {} ms: features {}, {} bundles active{}", uptime, featureNames(), active,
                notActive.isEmpty() ? "" : ", not active: " + String.join(", ", notActive));
    }

    private boolean inDeploy(Bundle bundle) {
        String location = bundle.getLocation();
        try {
            return location != null && location.startsWith("file:")
                    && java.nio.file.Path.of(java.net.URI.create(location)).normalize().startsWith(paths.deploy());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private List<String> featureNames() {
        List<String> names = new ArrayList<>();
        paths.features().forEach(file -> {
            String name = file.getFileName().toString();
            names.add(name.endsWith(".json") ? name.substring(0, name.length() - 5) : name);
        });
        return names;
    }

    private String describe(Bundle bundle) {
        if (bundle == null) {
            return "framework";
        }
        String location = bundle.getLocation();
        String where = "";
        if (location != null && location.startsWith("file:")) {
            try {
                where = " (" + paths.display(java.nio.file.Path.of(java.net.URI.create(location))) + ")";
            } catch (IllegalArgumentException e) {
                where = " (" + location + ")";
            }
        }
        return "bundle " + bundle.getSymbolicName() + " " + bundle.getVersion() + where;
    }

    private static String explain(Throwable problem) {
        return problem == null ? "(no detail)" : BundleProblems.explain(problem);
    }

    private static String state(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED (not resolved)";
            case Bundle.RESOLVED -> "RESOLVED (not started)";
            case Bundle.STARTING -> "STARTING (lazy activation or a slow activator)";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "in state " + state;
        };
    }
}
