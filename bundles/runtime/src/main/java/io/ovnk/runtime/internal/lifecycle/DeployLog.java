package io.ovnk.runtime.internal.lifecycle;

import io.ovnk.runtime.internal.DirectoryWatcher;
import io.ovnk.runtime.internal.RuntimePaths;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line for everything that happens to a jar in {@code deploy/} (FileInstall does the installing):
 * installed, started, updated, uninstalled, and, when it cannot run, why: not a readable jar, not a bundle,
 * or the packages and capabilities it needs that nothing provides.
 */
@Component(immediate = true, service = {})
public final class DeployLog implements BundleListener {

    private static final Logger LOG = LoggerFactory.getLogger("io.ovnk.runtime.deploy");
    /** A copy into deploy/ is several writes: judge the jar once they have settled. */
    private static final Duration SETTLE = Duration.ofMillis(200);

    private final BundleContext context;
    private final RuntimePaths paths;
    private final FrameworkWiring wiring;
    private final DirectoryWatcher watcher;
    /** The last complaint per jar, so FileInstall's retries do not repeat it. */
    private final Map<Path, String> complaints = new HashMap<>();

    @Activate
    public DeployLog(BundleContext context) {
        this.context = context;
        this.paths = RuntimePaths.of(context);
        this.wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        context.addBundleListener(this);
        DirectoryWatcher started = null;
        try {
            Files.createDirectories(paths.deploy());
            started = new DirectoryWatcher(paths.deploy(), file -> file.toString().endsWith(".jar"), SETTLE,
                    new DirectoryWatcher.Listener() {
                        @Override
                        public void rescan() {
                            try (var jars = Files.list(paths.deploy())) {
                                jars.filter(file -> file.toString().endsWith(".jar")).forEach(DeployLog.this::inspect);
                            } catch (IOException e) {
                                LOG.error("{}: cannot be listed: {}", paths.display(paths.deploy()), e.toString());
                            }
                        }

                        @Override
                        public void changed(Path file) {
                            inspect(file);
                        }

                        @Override
                        public void deleted(Path file) {
                            forget(file);
                        }
                    }, "ovnk-deploy-watch");
            started.start();
        } catch (IOException e) {
            LOG.warn("{}: cannot be watched ({}); broken jars there are not reported", paths.display(paths.deploy()),
                    e.toString());
        }
        this.watcher = started;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        context.removeBundleListener(this);
        if (watcher != null) {
            watcher.close();
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        Bundle bundle = event.getBundle();
        Path jar = deployed(bundle);
        if (jar == null) {
            return;
        }
        String name = paths.display(jar);
        String what = bundle.getSymbolicName() + " " + bundle.getVersion();
        switch (event.getType()) {
            case BundleEvent.INSTALLED -> {
                LOG.info("{}: installed {}", name, what);
                explainIfUnresolvable(jar, bundle);
            }
            case BundleEvent.UPDATED -> {
                LOG.info("{}: updated, now {}", name, what);
                explainIfUnresolvable(jar, bundle);
            }
            case BundleEvent.STARTED -> {
                forget(jar);
                LOG.info("{}: started {}", name, what);
            }
            case BundleEvent.UNINSTALLED -> {
                forget(jar);
                LOG.info("{}: uninstalled {}", name, what);
            }
            default -> {
                // resolved, stopping, stopped: the lines above tell the story
            }
        }
    }

    private void explainIfUnresolvable(Path jar, Bundle bundle) {
        if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
            return;
        }
        List<String> missing = MissingRequirements.of(bundle, wiring);
        if (!missing.isEmpty()) {
            complain(jar, bundle.getSymbolicName() + " " + bundle.getVersion() + " cannot start: "
                    + String.join(", ", missing) + "; it starts once a bundle provides "
                    + (missing.size() == 1 ? "it" : "them"));
        }
    }

    /** Called for every jar that appears or changes in deploy/: complains about what FileInstall will skip. */
    private void inspect(Path jar) {
        if (!Files.isRegularFile(jar)) {
            forget(jar);
            return;
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null) {
                complain(jar, "not a bundle: the jar has no META-INF/MANIFEST.MF; ignored");
            } else if (manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) == null) {
                complain(jar, "not a bundle: its manifest has no Bundle-SymbolicName; ignored");
            }
        } catch (ZipException e) {
            complain(jar, "not a readable jar (" + e.getMessage() + "); ignored until it is replaced");
        } catch (IOException | SecurityException e) {
            complain(jar, "cannot be read (" + e.getMessage() + "); ignored until it is replaced");
        }
    }

    private synchronized void complain(Path jar, String complaint) {
        if (!complaint.equals(complaints.put(jar, complaint))) {
            LOG.error("{}: {}", paths.display(jar), complaint);
        }
    }

    private synchronized void forget(Path jar) {
        complaints.remove(jar);
    }

    /** The jar a bundle was installed from if it lies in deploy/, else null. */
    private Path deployed(Bundle bundle) {
        String location = bundle.getLocation();
        if (location == null || !location.startsWith("file:")) {
            return null;
        }
        try {
            Path jar = Path.of(URI.create(location)).normalize();
            return jar.startsWith(paths.deploy()) ? jar : null;
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }
}
