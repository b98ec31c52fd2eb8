package io.ovnk.launcher.flags;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration the runtime bundle will apply, read the way a person reads it, without starting anything:
 * the started features' default configurations and the files of {@code etc/}. Values are text as written
 * (the runtime checks them against metatype when it applies them).
 *
 * @param values PID to key to value, in the order the runtime lays them: features, then etc/
 * @param problems files that cannot be read, each a sentence naming the file
 */
public record ConfigSources(Map<String, Map<String, Value>> values, List<String> problems) {

    /** A value as written, and where it comes from ({@code feature master}, {@code etc/io.ovnk.ipam.cfg}). */
    public record Value(String text, String origin) {
    }

    public ConfigSources {
        Map<String, Map<String, Value>> copy = new TreeMap<>();
        values.forEach((pid, keys) -> copy.put(pid, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keys))));
        values = java.util.Collections.unmodifiableMap(copy);
        problems = List.copyOf(problems);
    }

    /** What an etc/ file or a feature sets for a key, if anything. */
    public Optional<String> value(String pid, String key) {
        return Optional.ofNullable(values.getOrDefault(pid, Map.of()).get(key)).map(Value::text);
    }

    /** The etc/ files only, for checking flags against what the operator configured. */
    public RunConfiguration.EtcLookup etcLookup() {
        return (pid, key) -> Optional.ofNullable(values.getOrDefault(pid, Map.of()).get(key))
                .filter(v -> v.origin().startsWith("etc/")).map(Value::text);
    }

    /**
     * @param featureFiles the started features' files, in start order (later features win)
     * @param etc the etc/ directory, shown as {@code etc}
     */
    public static ConfigSources read(List<Path> featureFiles, Path etc) {
        Map<String, Map<String, Value>> values = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        JsonMapper mapper = JsonMapper.builder().build();
        for (Path file : featureFiles) {
            String feature = file.getFileName().toString().replaceFirst("\\.json$", "");
            try {
                JsonNode configurations = mapper.readTree(Files.readString(file)).get("configurations");
                if (configurations == null) {
                    continue;
                }
                for (Map.Entry<String, JsonNode> pid : configurations.properties()) {
                    for (Map.Entry<String, JsonNode> key : pid.getValue().properties()) {
                        values.computeIfAbsent(pid.getKey(), p -> new LinkedHashMap<>()).put(
                                key.getKey().replaceFirst(":.*$", ""), new Value(json(key.getValue()), "feature " + feature));
                    }
                }
            } catch (IOException | JacksonException e) {
                problems.add("features/" + file.getFileName() + ": cannot be read: " + e.getMessage());
            }
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(etc)) {
            files = listing.filter(Files::isRegularFile).filter(ConfigSources::isConfigFile).sorted().toList();
        } catch (NoSuchFileException e) {
            files = List.of();
        } catch (IOException e) {
            problems.add("etc: cannot be listed: " + e.getMessage());
            files = List.of();
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            String pid = name.substring(0, name.lastIndexOf('.'));
            String origin = "etc/" + name;
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                Map<String, String> keys = name.endsWith(".cfg") ? properties(text) : typed(text);
                keys.forEach((key, value) -> values.computeIfAbsent(pid, p -> new LinkedHashMap<>())
                        .put(key, new Value(value, origin)));
            } catch (IOException | IllegalArgumentException e) {
                problems.add(origin + ": cannot be read: " + e.getMessage());
            }
        }
        return new ConfigSources(values, problems);
    }

    static boolean isConfigFile(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && ((name.endsWith(".cfg") && name.length() > 4)
                || (name.endsWith(".config") && name.length() > 7));
    }

    private static Map<String, String> properties(String text) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        Map<String, String> keys = new TreeMap<>();
        properties.stringPropertyNames().forEach(key -> keys.put(key, properties.getProperty(key).strip()));
        return keys;
    }

    /** The typed Felix format, {@code key=T"value"} or {@code key=T[...]}: shown as written. */
    private static Map<String, String> typed(String text) {
        Map<String, String> keys = new TreeMap<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            int equals = trimmed.indexOf('=');
            if (trimmed.isEmpty() || trimmed.startsWith("#") || equals <= 0) {
                continue;
            }
            keys.put(trimmed.substring(0, equals).strip(), trimmed.substring(equals + 1).strip());
        }
        return keys;
    }

    private static String json(JsonNode value) {
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(item.asString()));
            return String.join(", ", items);
        }
        return value.asString();
    }
}
