package io.ovnk.runtime.internal.deploy;

import io.ovnk.runtime.internal.RuntimePaths;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A jar in {@code deploy/} whose Bundle-SymbolicName is a bundle the launcher installed from a feature (a mode
 * bundle, the master, ...) updates that bundle in place, whatever its version, instead of being installed beside
 * it: FileInstall asks its {@link ArtifactInstaller}s before installing a jar itself, and this one claims exactly
 * those jars. A changed jar updates the bundle again; removing the jar puts back the feature's own jar (read from the
 * bundle's location in {@code system/}). Every step is one log line under {@code io.ovnk.runtime.deploy}.
 */
@Component(service = ArtifactInstaller.class)
public final class FeatureBundleUpdater implements ArtifactInstaller {

    private static final Logger LOG = LoggerFactory.getLogger("io.ovnk.runtime.deploy");
    private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(30);

    private final BundleContext context;
    private final RuntimePaths paths;
    /** Which bundle each claimed jar has updated, so that its removal restores that one. */
    private final Map<Path, Long> updated = new HashMap<>();

    @Activate
    public FeatureBundleUpdater(BundleContext context) {
        this.context = context;
        this.paths = RuntimePaths.of(context);
    }

    @Override
    public boolean canHandle(File artifact) {
        Path jar = artifact.toPath().toAbsolutePath().normalize();
        if (!jar.toString().endsWith(".jar") || !jar.startsWith(paths.deploy())) {
            return false;
        }
        synchronized (this) {
            if (updated.containsKey(jar)) {
                return true;
            }
        }
        return replaced(jar).isPresent();
    }

    @Override
    public void install(File artifact) throws Exception {
        update(artifact);
    }

    @Override
    public void update(File artifact) throws Exception {
        Path jar = artifact.toPath().toAbsolutePath().normalize();
        Optional<Bundle> target = replaced(jar);
        if (target.isEmpty()) {
            LOG.error("{}: no longer names an installed feature bundle; ignored", paths.display(jar));
            return;
        }
        Bundle bundle = target.get();
        Optional<String> refused = ReplacedBundle.notUpdatable(installed(bundle),
                context.getBundle().getSymbolicName());
        if (refused.isPresent()) {
            LOG.error("{}: {}; ignored", paths.display(jar), refused.get());
            return;
        }
        synchronized (this) {
            Path other = updated.entrySet().stream().filter(e -> e.getValue() == bundle.getBundleId()
                    && !e.getKey().equals(jar)).map(Map.Entry::getKey).findFirst().orElse(null);
            if (other != null) {
                LOG.error("{}: {} is already replaced by {}; this jar is ignored until that one is removed",
                        paths.display(jar), bundle.getSymbolicName(), paths.display(other));
                return;
            }
        }
        String before = bundle.getVersion().toString();
        try (InputStream in = Files.newInputStream(jar)) {
            bundle.update(in); // stops, replaces and restarts it: its components deactivate and activate again
        } catch (BundleException | IOException | IllegalStateException e) {
            LOG.error("{}: cannot update feature bundle {} {}: {}; it keeps running as it was", paths.display(jar),
                    bundle.getSymbolicName(), before, e.getMessage());
            return;
        }
        synchronized (this) {
            updated.put(jar, bundle.getBundleId());
        }
        refreshIfPending(bundle);
        LOG.info("{}: updated feature bundle {} in place ({} -> {}), {}", paths.display(jar), bundle.getSymbolicName(),
                before, bundle.getVersion(), state(bundle));
    }

    @Override
    public void uninstall(File artifact) throws Exception {
        Path jar = artifact.toPath().toAbsolutePath().normalize();
        Long id;
        synchronized (this) {
            id = updated.remove(jar);
        }
        Bundle bundle = id == null ? null : context.getBundle(id);
        if (bundle == null) {
            return;
        }
        String before = bundle.getVersion().toString();
        String location = bundle.getLocation();
        try (InputStream in = URI.create(location).toURL().openStream()) {
            bundle.update(in);
        } catch (BundleException | IOException | IllegalArgumentException | IllegalStateException e) {
            LOG.error("{}: removed, but feature bundle {} cannot be put back from {}: {}; {} {} keeps running",
                    paths.display(jar), bundle.getSymbolicName(), location, e.getMessage(), bundle.getSymbolicName(),
                    before);
            return;
        }
        refreshIfPending(bundle);
        LOG.info("{}: removed; feature bundle {} is back to the distribution's jar ({} -> {}), {}", paths.display(jar),
                bundle.getSymbolicName(), before, bundle.getVersion(), state(bundle));
    }

    /** The feature bundle that this jar replaces, if it is a readable bundle naming one. */
    private Optional<Bundle> replaced(Path jar) {
        String symbolicName;
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            symbolicName = manifest == null ? null : manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
        } catch (IOException | SecurityException e) {
            return Optional.empty(); // FileInstall and DeployLog say what is wrong with it
        }
        List<ReplacedBundle.Installed> installed = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            installed.add(installed(bundle));
        }
        return ReplacedBundle.of(symbolicName, installed, paths.deploy()).map(b -> context.getBundle(b.id()));
    }

    private static ReplacedBundle.Installed installed(Bundle bundle) {
        return new ReplacedBundle.Installed(bundle.getBundleId(), bundle.getSymbolicName(),
                bundle.getVersion().toString(), bundle.getLocation());
    }

    /**
     * The old revision stays in use where other bundles import its packages: a refresh moves them to the new one.
     * A bundle nobody wires to has no pending revision, and is not bounced a second time.
     */
    private void refreshIfPending(Bundle bundle) {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        if (!wiring.getRemovalPendingBundles().contains(bundle)) {
            return;
        }
        // the refresh runs on the framework's thread: it stops the bundles wired to the old revision, rewires and
        // starts them again; waiting for its end makes the line logged next say the state the update ended in
        CountDownLatch refreshed = new CountDownLatch(1);
        wiring.refreshBundles(List.of(bundle), event -> refreshed.countDown());
        try {
            if (!refreshed.await(REFRESH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{}: the bundles wired to its old revision are still being refreshed after {} s",
                        bundle.getSymbolicName(), REFRESH_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String state(Bundle bundle) {
        return switch (bundle.getState()) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved (not started)";
            case Bundle.INSTALLED -> "installed but not resolved";
            default -> "in state " + bundle.getState();
        };
    }
}
