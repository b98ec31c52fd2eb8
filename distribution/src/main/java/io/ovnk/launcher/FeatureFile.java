package io.ovnk.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The parts of an OSGi feature file (Sling feature model JSON) the launcher acts on: the bundles with their
 * start order, and the framework properties. Configurations are the runtime bundle's business.
 *
 * @param name the feature name (its file name without {@code .json})
 */
public record FeatureFile(String name, Path file, List<BundleRef> bundles, Map<String, String> frameworkProperties) {

    public FeatureFile {
        bundles = List.copyOf(bundles);
        frameworkProperties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(frameworkProperties));
    }

    /**
     * A bundle of a feature: a Maven id ({@code group:artifact:version}, or with type and classifier as
     * {@code group:artifact:type:classifier:version}) and the start level it starts at.
     */
    public record BundleRef(String id, String groupId, String artifactId, String version, String type,
            String classifier, int startOrder) {

        static BundleRef parse(String id, int startOrder) {
            String[] parts = id.split(":");
            return switch (parts.length) {
                case 3 -> new BundleRef(id, parts[0], parts[1], parts[2], "jar", null, startOrder);
                case 4 -> new BundleRef(id, parts[0], parts[1], parts[3], parts[2], null, startOrder);
                case 5 -> new BundleRef(id, parts[0], parts[1], parts[4], parts[2], parts[3], startOrder);
                default -> throw new IllegalArgumentException("\"" + id + "\" is not group:artifact[:type[:classifier]]:version");
            };
        }

        /** Where the bundle lies in a Maven-layout repository such as the distribution's system/. */
        public Path in(Path repository) {
            String file = artifactId + "-" + version + (classifier != null ? "-" + classifier : "") + "." + type;
            return repository.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version).resolve(file);
        }
    }

    public static FeatureFile read(Path file) throws LaunchException {
        String name = file.getFileName().toString().replaceFirst("\\.json$", "");
        JsonNode root;
        try {
            root = JsonMapper.builder().build().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new LaunchException("feature " + name + ": no file " + file);
        } catch (JacksonException e) {
            throw new LaunchException("feature " + name + ": " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new LaunchException("feature " + name + ": " + file + " cannot be read: " + e.getMessage(), e);
        }
        List<BundleRef> bundles = new ArrayList<>();
        JsonNode bundleList = root.get("bundles");
        if (bundleList != null) {
            if (!bundleList.isArray()) {
                throw new LaunchException("feature " + name + ": \"bundles\" is not an array");
            }
            int index = 0;
            for (JsonNode bundle : bundleList) {
                String where = "feature " + name + ": bundles[" + index++ + "]";
                String id = bundle.isString() ? bundle.stringValue() : text(bundle.get("id"));
                if (id == null) {
                    throw new LaunchException(where + " has no \"id\"");
                }
                int startOrder;
                try {
                    String order = bundle.isObject() ? text(bundle.get("start-order")) : null;
                    startOrder = order == null ? 20 : Integer.parseInt(order);
                } catch (NumberFormatException e) {
                    throw new LaunchException(where + ": \"start-order\" is not a number");
                }
                if (startOrder < 1) {
                    throw new LaunchException(where + ": \"start-order\" must be 1 or more, not " + startOrder);
                }
                try {
                    bundles.add(BundleRef.parse(id, startOrder));
                } catch (IllegalArgumentException e) {
                    throw new LaunchException(where + ": id " + e.getMessage());
                }
            }
        }
        Map<String, String> properties = new LinkedHashMap<>();
        JsonNode framework = root.get("framework-properties");
        if (framework != null) {
            for (Map.Entry<String, JsonNode> entry : framework.properties()) {
                if (!entry.getValue().isValueNode()) {
                    throw new LaunchException("feature " + name + ": framework property " + entry.getKey() + " is not a value");
                }
                properties.put(entry.getKey(), entry.getValue().asString());
            }
        }
        return new FeatureFile(name, file, bundles, properties);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asString();
    }
}
