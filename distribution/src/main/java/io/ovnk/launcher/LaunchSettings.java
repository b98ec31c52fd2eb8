package io.ovnk.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * Which parts of ovnk this process runs, from {@code etc/io.ovnk.launcher.cfg}: read once, before the
 * framework starts, because it decides which features are installed.
 *
 * @param roles master and/or node
 * @param mode overlay or underlay
 * @param extraFeatures further features by name (e.g. gateway)
 */
public record LaunchSettings(List<String> roles, String mode, List<String> extraFeatures) {

    public static final String PID = "io.ovnk.launcher";
    static final Set<String> ROLES = Set.of("master", "node");
    static final Set<String> MODES = Set.of("overlay", "underlay");
    static final Set<String> KEYS = Set.of("roles", "mode", "features");

    public LaunchSettings {
        roles = List.copyOf(roles);
        extraFeatures = List.copyOf(extraFeatures);
    }

    /** What runs when the file does not exist: one process with both roles, overlay. */
    public static LaunchSettings defaults() {
        return new LaunchSettings(List.of("master", "node"), "overlay", List.of());
    }

    public static LaunchSettings read(Path file, String shownAs) throws LaunchException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            return defaults();
        } catch (IOException | IllegalArgumentException e) {
            throw new LaunchException(shownAs + ": cannot be read: " + e.getMessage(), e);
        }
        for (String key : properties.stringPropertyNames()) {
            if (!KEYS.contains(key)) {
                throw new LaunchException(shownAs + ": unknown key '" + key + "' (known: roles, mode, features)");
            }
        }
        LaunchSettings defaults = defaults();
        List<String> roles = list(properties.getProperty("roles"), defaults.roles());
        if (roles.isEmpty()) {
            throw new LaunchException(shownAs + ": key 'roles' is empty; give master, node or both");
        }
        for (String role : roles) {
            if (!ROLES.contains(role)) {
                throw new LaunchException(shownAs + ": key 'roles': \"" + role + "\" is not a role (master, node)");
            }
        }
        String mode = properties.getProperty("mode", defaults.mode()).strip();
        if (!MODES.contains(mode)) {
            throw new LaunchException(shownAs + ": key 'mode': \"" + mode + "\" is not a mode (overlay, underlay)");
        }
        return new LaunchSettings(roles, mode, list(properties.getProperty("features"), List.of()));
    }

    /** The features to start, in start order: platform, core, the roles, the mode, the extras. */
    public List<String> features() {
        Set<String> features = new LinkedHashSet<>(List.of("platform", "core"));
        features.addAll(roles);
        features.add(mode);
        features.addAll(extraFeatures);
        return new ArrayList<>(features);
    }

    private static List<String> list(String value, List<String> fallback) {
        if (value == null) {
            return fallback;
        }
        List<String> items = new ArrayList<>();
        for (String item : value.split(",")) {
            if (!item.isBlank() && !items.contains(item.strip())) {
                items.add(item.strip());
            }
        }
        return items;
    }
}
