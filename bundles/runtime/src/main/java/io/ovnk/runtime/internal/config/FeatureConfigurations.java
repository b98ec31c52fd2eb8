package io.ovnk.runtime.internal.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The default configurations of the started features: the {@code "configurations"} section of each OSGi
 * feature file (Sling feature model JSON), with the JSON types mapped to Config Admin types.
 */
public final class FeatureConfigurations {

    /**
     * @param feature the feature that declared the configuration (by name), for log lines and origins
     * @param properties the default values
     */
    public record Defaults(String feature, Map<String, Object> properties) {
        public Defaults {
            properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        }
    }

    /** What the feature files declare, and what was wrong with them (each problem names file, PID and key). */
    public record Loaded(Map<ConfigTarget, Defaults> defaults, List<String> problems) {
        public Loaded {
            defaults = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
            problems = List.copyOf(problems);
        }
    }

    private FeatureConfigurations() {
    }

    public static Loaded read(List<Path> featureFiles) {
        JsonMapper mapper = JsonMapper.builder().build();
        Map<ConfigTarget, Defaults> defaults = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Path file : featureFiles) {
            String feature = featureName(file);
            JsonNode root;
            try {
                root = mapper.readTree(Files.readString(file));
            } catch (IOException | JacksonException e) {
                problems.add(file + ": cannot be read: " + e.getMessage());
                continue;
            }
            JsonNode configurations = root.get("configurations");
            if (configurations == null) {
                continue;
            }
            for (Map.Entry<String, JsonNode> entry : configurations.properties()) {
                String where = file.getFileName() + ": configuration " + entry.getKey();
                ConfigTarget target;
                try {
                    target = ConfigTarget.parse(entry.getKey());
                } catch (IllegalArgumentException e) {
                    problems.add(where + ": " + e.getMessage());
                    continue;
                }
                Map<String, Object> properties = new LinkedHashMap<>();
                try {
                    for (Map.Entry<String, JsonNode> property : entry.getValue().properties()) {
                        String[] keyAndType = property.getKey().split(":", 2);
                        properties.put(keyAndType[0],
                                convert(property.getValue(), keyAndType.length > 1 ? keyAndType[1] : null));
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(where + ": " + e.getMessage());
                    continue;
                }
                // two features may configure one PID: keys merge, the later feature wins
                Defaults earlier = defaults.get(target);
                String origin = feature;
                if (earlier != null) {
                    Map<String, Object> merged = new LinkedHashMap<>(earlier.properties());
                    merged.putAll(properties);
                    properties = merged;
                    origin = earlier.feature() + "+" + feature;
                }
                defaults.put(target, new Defaults(origin, properties));
            }
        }
        return new Loaded(defaults, problems);
    }

    /** {@code features/core.json} is feature "core". */
    static String featureName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    static Object convert(JsonNode value, String type) {
        if (value.isArray()) {
            String elementType = type == null ? null : type.replace("[]", "");
            List<Object> elements = new ArrayList<>();
            for (JsonNode element : value) {
                elements.add(scalar(element, elementType));
            }
            Class<?> common = elements.isEmpty() ? String.class : elements.get(0).getClass();
            for (Object element : elements) {
                if (element.getClass() != common) {
                    throw new IllegalArgumentException("an array mixes " + common.getSimpleName() + " and "
                            + element.getClass().getSimpleName() + " values");
                }
            }
            Object array = java.lang.reflect.Array.newInstance(common, elements.size());
            for (int i = 0; i < elements.size(); i++) {
                java.lang.reflect.Array.set(array, i, elements.get(i));
            }
            return array;
        }
        return scalar(value, type);
    }

    private static Object scalar(JsonNode value, String type) {
        if (value.isObject() || value.isArray() || value.isNull()) {
            throw new IllegalArgumentException("values must be strings, numbers, booleans or arrays of them, not "
                    + value.getNodeType().name().toLowerCase());
        }
        if (type == null) {
            if (value.isBoolean()) {
                return value.booleanValue();
            }
            if (value.isIntegralNumber()) {
                return value.longValue();
            }
            if (value.isNumber()) {
                return value.doubleValue();
            }
            return value.stringValue();
        }
        String text = value.asString();
        try {
            return switch (type) {
                case "String" -> text;
                case "Integer" -> Integer.valueOf(text);
                case "Long" -> Long.valueOf(text);
                case "Boolean" -> Boolean.valueOf(text);
                case "Double" -> Double.valueOf(text);
                case "Float" -> Float.valueOf(text);
                default -> throw new IllegalArgumentException("unknown type " + type);
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a " + type);
        }
    }
}
