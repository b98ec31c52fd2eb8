package io.ovnk.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Starts Felix with exactly the bundles of a {@link FeatureSet}: installs each in feature order, gives it its
 * feature's start order as start level, marks it to start, then raises the framework to its beginning start
 * level (bundles start on the framework's start-level thread).
 */
final class FrameworkRunner {

    private final Distribution distribution;
    private final FeatureSet features;
    private final Map<String, String> extraProperties;
    private volatile Framework framework;

    FrameworkRunner(Distribution distribution, FeatureSet features, Map<String, String> extraProperties) {
        this.distribution = distribution;
        this.features = features;
        this.extraProperties = Map.copyOf(extraProperties);
    }

    /** The features' framework properties, then conf/framework.properties, then the launcher's own. */
    Map<String, String> properties() throws LaunchException {
        Map<String, String> properties = new LinkedHashMap<>(features.frameworkProperties());
        Path conf = distribution.conf().resolve("framework.properties");
        if (Files.exists(conf)) {
            Properties operator = new Properties();
            try (var reader = Files.newBufferedReader(conf)) {
                operator.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new LaunchException(distribution.display(conf) + ": cannot be read: " + e.getMessage(), e);
            }
            operator.stringPropertyNames().forEach(key -> properties.put(key, operator.getProperty(key)));
        }
        properties.put(Constants.FRAMEWORK_STORAGE, distribution.data().resolve("cache").toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        properties.put("ovnk.home", distribution.home().toString());
        properties.putIfAbsent("ovnk.etc", distribution.etc().toString());
        properties.putIfAbsent("ovnk.deploy", distribution.deploy().toString());
        properties.put("ovnk.features", features.files());
        properties.putAll(extraProperties);
        return FrameworkProperties.resolve(properties);
    }

    /** Installs and starts; returns once the framework runs (bundles then start in the background). */
    Framework start() throws LaunchException {
        Map<String, String> properties = properties();
        List<FeatureSet.Entry> bundles = features.bundles();
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, FrameworkRunner.class.getClassLoader())
                .findFirst()
                .orElseThrow(() -> new LaunchException("no OSGi framework on the class path (lib/)"));
        framework = factory.newFramework(properties);
        try {
            framework.init();
            install(framework.getBundleContext(), bundles);
            framework.start();
        } catch (BundleException | RuntimeException e) {
            stop();
            throw new LaunchException("the framework did not start: " + e.getMessage(), e);
        } catch (LaunchException e) {
            stop();
            throw e;
        }
        return framework;
    }

    private void install(BundleContext context, List<FeatureSet.Entry> bundles) throws LaunchException {
        List<Bundle> toStart = new ArrayList<>();
        for (FeatureSet.Entry entry : bundles) {
            Bundle bundle;
            try {
                bundle = context.installBundle(entry.jar().toUri().toString());
            } catch (BundleException e) {
                throw new LaunchException("feature " + entry.feature() + ": bundle " + entry.ref().id() + " ("
                        + distribution.display(entry.jar()) + ") cannot be installed: " + e.getMessage(), e);
            }
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                bundle.adapt(BundleStartLevel.class).setStartLevel(entry.startLevel());
                toStart.add(bundle);
            }
        }
        for (Bundle bundle : toStart) {
            try {
                bundle.start(); // persistent: it starts when the framework reaches its start level
            } catch (BundleException e) {
                throw new LaunchException("bundle " + bundle.getSymbolicName() + " cannot be marked to start: "
                        + e.getMessage(), e);
            }
        }
    }

    /** Stops the framework and waits for it; true if it stopped within a minute. */
    boolean stop() {
        Framework running = framework;
        if (running == null || (running.getState() & (Bundle.STARTING | Bundle.ACTIVE | Bundle.STOPPING)) == 0) {
            return true;
        }
        try {
            running.stop();
            FrameworkEvent event = running.waitForStop(60_000);
            return event.getType() != FrameworkEvent.WAIT_TIMEDOUT;
        } catch (BundleException e) {
            System.err.println("ovnkube: stopping the framework failed: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
