package io.ovnk.runtime.internal.config;

import io.ovnk.runtime.internal.config.FeatureConfigurations.Defaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration bin/ovnkube's command-line flags set for this run only, from the file the launcher names in
 * the framework property {@code ovnk.flags}: {@code "flags"} are laid over the etc/ files, {@code "implied"}
 * (what a flag needs but does not say, such as a node's local Open_vSwitch database) under them, over the
 * features' defaults. Each key carries its origin ({@code flag -cluster-subnet}). Values are strings or arrays
 * of strings, checked against metatype like a file's.
 */
public final class RunLayer {

    public static final String PROPERTY = "ovnk.flags";

    /** A key given twice is an error, not a silent choice of one of the two. */
    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(tools.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The keys one configuration gets from flags, and each key's origin. */
    public record Keys(Map<String, Object> properties, Map<String, String> origins) {
        public Keys {
            properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
            origins = Collections.unmodifiableMap(new LinkedHashMap<>(origins));
        }

        /** The distinct origins, as one text: {@code flag -init-node + flag -sb-address}. */
        public String origin() {
            return String.join(" + ", new LinkedHashSet<>(origins.values()));
        }
    }

    /** What the file says, and what was wrong with it (each problem names the file and the configuration). */
    public record Loaded(Map<ConfigTarget, Keys> flags, Map<ConfigTarget, Keys> implied, List<String> problems) {
        public Loaded {
            flags = Collections.unmodifiableMap(new LinkedHashMap<>(flags));
            implied = Collections.unmodifiableMap(new LinkedHashMap<>(implied));
            problems = List.copyOf(problems);
        }

        public static Loaded none() {
            return new Loaded(Map.of(), Map.of(), List.of());
        }
    }

    private RunLayer() {
    }

    /** @param shownAs how log lines name the file ({@code data/flags.json}) */
    public static Loaded read(Path file, String shownAs) {
        JsonNode root;
        try {
            root = STRICT.readTree(Files.readString(file));
        } catch (IOException | JacksonException e) {
            return new Loaded(Map.of(), Map.of(), List.of(shownAs + ": cannot be read: " + e.getMessage()
                    + "; the flags of this run are not applied"));
        }
        if (root == null || !root.isObject()) {
            return new Loaded(Map.of(), Map.of(), List.of(shownAs + ": expected a JSON object; the flags of this run "
                    + "are not applied"));
        }
        List<String> problems = new ArrayList<>();
        return new Loaded(layer(root.get("flags"), shownAs, problems), layer(root.get("implied"), shownAs, problems),
                problems);
    }

    private static Map<ConfigTarget, Keys> layer(JsonNode layer, String shownAs, List<String> problems) {
        Map<ConfigTarget, Keys> result = new LinkedHashMap<>();
        if (layer == null) {
            return result;
        }
        if (!layer.isObject()) {
            problems.add(shownAs + ": expected an object of configurations, found " + layer.getNodeType());
            return result;
        }
        for (Map.Entry<String, JsonNode> configuration : layer.properties()) {
            ConfigTarget target;
            try {
                target = ConfigTarget.parse(configuration.getKey());
            } catch (IllegalArgumentException e) {
                problems.add(shownAs + ": configuration " + configuration.getKey() + ": " + e.getMessage());
                continue;
            }
            if (!configuration.getValue().isObject()) {
                problems.add(shownAs + ": configuration " + target + ": expected an object of keys");
                continue;
            }
            Map<String, Object> properties = new LinkedHashMap<>();
            Map<String, String> origins = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> key : configuration.getValue().properties()) {
                JsonNode value = key.getValue().get("value");
                JsonNode origin = key.getValue().get("origin");
                boolean strings = value != null && (value.isString() || value.isArray() && value.valueStream()
                        .allMatch(JsonNode::isString));
                if (!strings || origin == null || !origin.isString()) {
                    problems.add(shownAs + ": " + target + " " + key.getKey() + ": needs a string or array of strings "
                            + "\"value\" and a string \"origin\"");
                    continue;
                }
                if (value.isArray()) {
                    List<String> items = new ArrayList<>();
                    value.forEach(item -> items.add(item.asString()));
                    properties.put(key.getKey(), items.toArray(String[]::new));
                } else {
                    properties.put(key.getKey(), value.stringValue());
                }
                origins.put(key.getKey(), origin.asString());
            }
            result.put(target, new Keys(properties, origins));
        }
        return result;
    }

    /**
     * The features' defaults with the implied keys laid over them: a configuration's base under its etc/ file.
     * The origin reads {@code master + flag -init-node} (shown as "feature master + flag -init-node") or
     * {@code flag -init-node} where no feature configures it.
     */
    public static Map<ConfigTarget, Defaults> under(Map<ConfigTarget, Defaults> features, Map<ConfigTarget, Keys> implied) {
        Map<ConfigTarget, Defaults> merged = new LinkedHashMap<>(features);
        implied.forEach((target, keys) -> {
            Defaults base = features.get(target);
            Map<String, Object> properties = new LinkedHashMap<>(base == null ? Map.of() : base.properties());
            properties.putAll(keys.properties());
            merged.put(target, new Defaults(base == null ? keys.origin() : base.feature() + " + " + keys.origin(),
                    properties));
        });
        return merged;
    }
}
