package io.ovnk.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The features a process starts, resolved against a Maven-layout repository: which jars, at which start
 * level, with which framework properties. bin/ovnkube and the in-framework tests both start from this, so
 * the tests run exactly what the distribution runs.
 */
public record FeatureSet(List<FeatureFile> features, Path repository) {

    /** A bundle to install: its jar and start level, and the feature that first listed it. */
    public record Entry(String feature, FeatureFile.BundleRef ref, Path jar) {
        public int startLevel() {
            return ref.startOrder();
        }
    }

    public FeatureSet {
        features = List.copyOf(features);
    }

    /** Reads {@code <directory>/<name>.json} for each name, in order. */
    public static FeatureSet read(Path directory, List<String> names, Path repository) throws LaunchException {
        List<FeatureFile> features = new ArrayList<>();
        for (String name : names) {
            features.add(FeatureFile.read(directory.resolve(name + ".json")));
        }
        return new FeatureSet(features, repository);
    }

    /**
     * Every bundle once, in feature order (within one start level Felix starts bundles in install order);
     * a bundle listed by two features takes the first listing's start order.
     *
     * @throws LaunchException naming the feature and bundle whose jar is missing from the repository
     */
    public List<Entry> bundles() throws LaunchException {
        Set<String> seen = new LinkedHashSet<>();
        List<Entry> entries = new ArrayList<>();
        for (FeatureFile feature : features) {
            for (FeatureFile.BundleRef ref : feature.bundles()) {
                if (!seen.add(ref.id())) {
                    continue;
                }
                Path jar = ref.in(repository);
                if (!Files.isRegularFile(jar)) {
                    throw new LaunchException("feature " + feature.name() + ": bundle " + ref.id() + " is not in " + jar);
                }
                entries.add(new Entry(feature.name(), ref, jar));
            }
        }
        return entries;
    }

    /** The features' framework properties, later features overriding earlier ones; placeholders unresolved. */
    public Map<String, String> frameworkProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        features.forEach(feature -> properties.putAll(feature.frameworkProperties()));
        return properties;
    }

    /** The feature files, comma-separated, as the {@code ovnk.features} framework property. */
    public String files() {
        return String.join(",", features.stream().map(f -> f.file().toString()).toList());
    }

    public List<String> names() {
        return features.stream().map(FeatureFile::name).toList();
    }
}
