package io.ovnk.itests.framework;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;

import io.ovnk.launcher.FeatureSet;
import io.ovnk.launcher.FrameworkProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.ops4j.pax.exam.Option;

/**
 * Pax Exam options from the distribution's features: the bundles of the named features at their start
 * levels, the features' framework properties, the beginning start level. What a test runs is what
 * bin/ovnkube runs.
 */
final class Provisioning {

    /** The unpacked distribution the build assembled. */
    static final Path DISTRIBUTION = Path.of(System.getProperty("ovnk.distribution.dir"));
    /** This test run's own directory (etc/, deploy/), emptied at every run. */
    static final Path TEST_DIR = Path.of(System.getProperty("ovnk.test.dir"));

    private Provisioning() {
    }

    /**
     * @param features feature names from the distribution's features/ (platform, core, ...)
     * @param extraFeatureFiles further feature files whose configurations the runtime applies (no bundles)
     */
    static Option[] features(List<String> features, List<Path> extraFeatureFiles) throws Exception {
        resetDirectory(TEST_DIR);
        Path etc = Files.createDirectories(TEST_DIR.resolve("etc"));
        Path deploy = Files.createDirectories(TEST_DIR.resolve("deploy"));

        FeatureSet set = FeatureSet.read(DISTRIBUTION.resolve("features"), features, DISTRIBUTION.resolve("system"));
        List<Option> options = new ArrayList<>();
        for (FeatureSet.Entry entry : set.bundles()) {
            options.add(bundle(entry.jar().toUri().toString()).startLevel(entry.startLevel()).start(!fragment(entry.jar())));
        }
        Map<String, String> properties = new LinkedHashMap<>(set.frameworkProperties());
        properties.put("ovnk.home", TEST_DIR.toString());
        properties.put("ovnk.etc", etc.toString());
        properties.put("ovnk.deploy", deploy.toString());
        List<String> files = new ArrayList<>(List.of(set.files().split(",")));
        extraFeatureFiles.forEach(file -> files.add(file.toString()));
        properties.put("ovnk.features", String.join(",", files));
        Map<String, String> resolved = FrameworkProperties.resolve(properties);
        resolved.forEach((key, value) -> options.add(frameworkProperty(key).value(value)));
        options.add(frameworkStartLevel(Integer.parseInt(resolved.get("org.osgi.framework.startlevel.beginning"))));
        options.add(junitBundles());
        return options.toArray(Option[]::new);
    }

    private static boolean fragment(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest().getMainAttributes().getValue("Fragment-Host") != null;
        }
    }

    private static void resetDirectory(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
