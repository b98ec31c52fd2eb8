package io.ovnk.runtime.internal.config;

import io.ovnk.runtime.internal.config.FeatureConfigurations.Defaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Keeps Config Admin in step with {@code etc/} and the features' default configurations.
 * <p>
 * A configuration is the feature defaults for its PID with the keys of its {@code etc/} file laid over them.
 * A file that cannot be read or fails its metatype is not applied at all, so the previous configuration
 * stays in force. Deleting a file reverts its PID to the feature defaults, or removes the configuration
 * where there are none. The command-line flags of this run ({@link RunLayer}) are laid over the file and win
 * over it for this run; a file whose key a flag overrides says so. Every decision comes back as an
 * {@link Outcome} naming the file, for the log.
 * <p>
 * Not thread-safe: one thread (the directory watcher's) drives it.
 */
public final class ConfigurationSync {

    /** The private property (a leading dot keeps it out of service properties) saying where values came from. */
    public static final String ORIGIN = ".ovnk.origin";

    /** Config Admin, reduced to what this class does with it. */
    public interface Store {
        /** Creates or updates; true if the stored properties changed. */
        boolean put(ConfigTarget target, Map<String, Object> properties) throws IOException;

        /** True if a configuration was removed. */
        boolean delete(ConfigTarget target) throws IOException;

        boolean exists(ConfigTarget target) throws IOException;
    }

    /** Metatype, reduced to a lookup by PID or factory PID. */
    public interface Schemas {
        Optional<ConfigSchema> find(String pid);
    }

    public enum UnknownKeys {
        WARN, REJECT, IGNORE
    }

    public record Settings(UnknownKeys unknownKeys, long maxFileBytes) {
    }

    public enum Severity {
        DEBUG, INFO, WARN, ERROR
    }

    /**
     * @param subject what the outcome is about: a file ({@code etc/x.cfg}) or a feature ({@code feature core})
     * @param message the whole log line, starting with the subject
     */
    public record Outcome(Severity severity, String subject, String message) {
    }

    private final Path etcDir;
    private final String etcDisplay;
    private final Map<ConfigTarget, Defaults> defaults;
    private final Map<ConfigTarget, RunLayer.Keys> flags;
    private final Store store;
    private final Schemas schemas;
    /** Which file currently provides which configuration: two files must not fight over one PID. */
    private final Map<ConfigTarget, Path> owners = new HashMap<>();

    /**
     * @param etcDisplay how {@code etcDir} is named in log lines (e.g. {@code etc})
     */
    public ConfigurationSync(Path etcDir, String etcDisplay, Map<ConfigTarget, Defaults> defaults, Store store,
            Schemas schemas) {
        this(etcDir, etcDisplay, defaults, Map.of(), store, schemas);
    }

    /**
     * @param flags keys the command-line flags set for this run, laid over the etc/ files
     */
    public ConfigurationSync(Path etcDir, String etcDisplay, Map<ConfigTarget, Defaults> defaults,
            Map<ConfigTarget, RunLayer.Keys> flags, Store store, Schemas schemas) {
        this.etcDir = etcDir;
        this.etcDisplay = etcDisplay;
        this.defaults = Map.copyOf(defaults);
        this.flags = Map.copyOf(flags);
        this.store = store;
        this.schemas = schemas;
    }

    /** Applies every file in the directory, then the defaults of every PID no file configures. */
    public List<Outcome> applyAll(Settings settings) {
        List<Outcome> outcomes = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(etcDir)) {
            files = listing.filter(Files::isRegularFile).filter(ConfigFileReader::isConfigFile).sorted().toList();
        } catch (IOException e) {
            outcomes.add(new Outcome(Severity.ERROR, etcDisplay, etcDisplay + ": cannot be listed: " + e));
            return outcomes;
        }
        // files deleted while nobody watched (an overflow of events): treat as deleted now
        for (Path vanished : owners.values().stream().filter(file -> !files.contains(file)).toList()) {
            outcomes.add(fileDeleted(vanished, settings));
        }
        for (Path file : files) {
            outcomes.add(fileChanged(file, settings));
        }
        java.util.Set<ConfigTarget> bases = new java.util.LinkedHashSet<>(defaults.keySet());
        bases.addAll(flags.keySet());
        for (ConfigTarget target : bases) {
            if (!owners.containsKey(target)) {
                outcomes.add(applyDefaults(target, settings));
            }
        }
        return outcomes;
    }

    /** A file was created or changed. */
    public Outcome fileChanged(Path file, Settings settings) {
        String name = display(file);
        ConfigTarget target;
        try {
            target = ConfigFileReader.targetOf(file);
        } catch (ConfigFileException e) {
            return new Outcome(Severity.ERROR, name, name + ": not applied: " + e.getMessage());
        }
        Path owner = owners.get(target);
        if (owner != null && !owner.equals(file) && Files.exists(owner)) {
            return new Outcome(Severity.ERROR, name, name + ": not applied: configuration " + target
                    + " is already set by " + display(owner) + "; remove one of the two files");
        }
        Map<String, Object> fileProperties;
        try {
            fileProperties = ConfigFileReader.read(file, settings.maxFileBytes());
        } catch (NoSuchFileException e) {
            return new Outcome(Severity.DEBUG, name, name + ": gone before it could be read");
        } catch (ConfigFileException | IOException e) {
            return rejected(name, target, e.getMessage());
        }
        Optional<ConfigSchema> schema = schemas.find(target.schemaPid());
        SecretFileCheck.Verdict exposure;
        try {
            // an empty value (token =) holds no secret
            exposure = SecretFileCheck.check(file, name, fileProperties.entrySet().stream()
                    .filter(entry -> !String.valueOf(entry.getValue()).isBlank())
                    .map(Map.Entry::getKey)
                    .filter(key -> ConfigValidator.isSecret(key, schema.map(s -> s.attributes().get(key)).orElse(null)))
                    .toList());
        } catch (NoSuchFileException e) {
            return new Outcome(Severity.DEBUG, name, name + ": gone before it could be read");
        } catch (IOException e) {
            return rejected(name, target, "its mode cannot be read: " + e.getMessage());
        }
        if (exposure.refusal().isPresent()) {
            return rejected(name, target, exposure.refusal().get());
        }
        Defaults base = defaults.get(target);
        Map<String, Object> properties = new LinkedHashMap<>();
        if (base != null) {
            properties.putAll(base.properties());
        }
        properties.putAll(fileProperties);
        String origin = (base != null ? describe(base) + " + " : "") + name;
        RunLayer.Keys flagKeys = flags.get(target);
        String overridden = null;
        if (flagKeys != null) {
            properties.putAll(flagKeys.properties());
            origin += " + " + flagKeys.origin();
            List<String> notes = new ArrayList<>();
            flagKeys.origins().forEach((key, by) -> {
                if (fileProperties.containsKey(key)) {
                    notes.add(by + " wins over its key '" + key + "'");
                }
            });
            overridden = notes.isEmpty() ? null : "; for this run " + String.join(", ", notes);
        }

        String unused = null;
        if (schema.isPresent()) {
            ConfigValidator.Result result = ConfigValidator.check(schema.get(), properties);
            if (!result.valid()) {
                return rejected(name, target, String.join("; ", result.errors()));
            }
            if (!result.unknownKeys().isEmpty() && settings.unknownKeys() != UnknownKeys.IGNORE) {
                unused = String.join("; ", result.unknownKeys());
                if (settings.unknownKeys() == UnknownKeys.REJECT) {
                    return rejected(name, target, unused + " (io.ovnk.runtime unknown.keys=reject)");
                }
            }
            properties = new LinkedHashMap<>(result.properties());
        }
        properties.put(ORIGIN, origin);
        owners.put(target, file);
        boolean changed;
        try {
            changed = store.put(target, properties);
        } catch (IOException | RuntimeException e) {
            return new Outcome(Severity.ERROR, name, name + ": Config Admin refused " + target + ": " + e);
        }
        if (!changed) {
            return new Outcome(Severity.DEBUG, name, name + ": " + target + " unchanged");
        }
        String applied = name + ": applied to " + target + " (" + fileProperties.size()
                + (fileProperties.size() == 1 ? " key" : " keys")
                + (schema.isPresent() ? "" : ", no metatype to check them against") + ")"
                + (overridden == null ? "" : overridden);
        List<String> warnings = new ArrayList<>();
        if (unused != null) {
            warnings.add(target + " does not use " + unused);
        }
        exposure.warning().ifPresent(warnings::add);
        return warnings.isEmpty()
                ? new Outcome(Severity.INFO, name, applied)
                : new Outcome(Severity.WARN, name, applied + ", but " + String.join("; ", warnings));
    }

    /** A file was deleted. */
    public Outcome fileDeleted(Path file, Settings settings) {
        String name = display(file);
        ConfigTarget target;
        try {
            target = ConfigFileReader.targetOf(file);
        } catch (ConfigFileException e) {
            return new Outcome(Severity.DEBUG, name, name + ": deleted (it configured nothing)");
        }
        if (!file.equals(owners.get(target))) {
            return new Outcome(Severity.DEBUG, name, name + ": deleted (it did not configure " + target + ")");
        }
        owners.remove(target);
        Defaults base = defaults.get(target);
        if (base != null || flags.containsKey(target)) {
            Outcome reverted = applyDefaults(target, settings);
            Severity severity = reverted.severity() == Severity.ERROR ? Severity.ERROR : Severity.INFO;
            return new Outcome(severity, name, name + ": deleted; " + target + " reverted to "
                    + (base != null ? "the defaults of " + describe(base) : "no defaults")
                    + (flags.containsKey(target) ? " and the flags of this run (" + flags.get(target).origin() + ")" : "")
                    + (severity == Severity.ERROR ? ", which failed: " + reverted.message() : ""));
        }
        try {
            return store.delete(target)
                    ? new Outcome(Severity.INFO, name, name + ": deleted; configuration " + target + " removed")
                    : new Outcome(Severity.DEBUG, name, name + ": deleted; " + target + " was not configured");
        } catch (IOException | RuntimeException e) {
            return new Outcome(Severity.ERROR, name,
                    name + ": deleted, but Config Admin cannot remove " + target + ": " + e);
        }
    }

    /** A configuration without an etc/ file: the features' defaults and what flags imply, then the flags. */
    private Outcome applyDefaults(ConfigTarget target, Settings settings) {
        Defaults base = defaults.get(target);
        RunLayer.Keys flagKeys = flags.get(target);
        String name = base == null ? flagKeys.origin()
                : describe(base) + (flagKeys == null ? "" : " + " + flagKeys.origin());
        String what = flagKeys == null ? "default configuration" : "configuration";
        Map<String, Object> properties = new LinkedHashMap<>(base == null ? Map.of() : base.properties());
        if (flagKeys != null) {
            properties.putAll(flagKeys.properties());
        }
        Optional<ConfigSchema> schema = schemas.find(target.schemaPid());
        if (schema.isPresent()) {
            ConfigValidator.Result result = ConfigValidator.check(schema.get(), properties);
            if (!result.valid()) {
                return new Outcome(Severity.ERROR, name, name + ": " + what + " " + target + " not applied: "
                        + String.join("; ", result.errors()));
            }
            properties = new LinkedHashMap<>(result.properties());
        }
        properties.put(ORIGIN, name);
        try {
            return store.put(target, properties)
                    ? new Outcome(Severity.INFO, name, name + ": " + what + " applied to " + target)
                    : new Outcome(Severity.DEBUG, name, name + ": " + what + " " + target + " unchanged");
        } catch (IOException | RuntimeException e) {
            return new Outcome(Severity.ERROR, name, name + ": Config Admin refused " + target + ": " + e);
        }
    }

    private Outcome rejected(String name, ConfigTarget target, String reason) {
        boolean previous;
        try {
            previous = store.exists(target);
        } catch (IOException | RuntimeException e) {
            previous = false;
        }
        Defaults base = defaults.get(target);
        RunLayer.Keys flagKeys = flags.get(target);
        // without a previous configuration, the features' defaults and this run's flags still configure the PID
        // (a full sync applies them right after the files): saying "unconfigured" then would send people astray
        String instead = base == null && flagKeys == null ? target + " stays unconfigured"
                : target + " gets only " + (base == null ? "" : "the defaults of " + describe(base))
                        + (base != null && flagKeys != null ? " and " : "")
                        + (flagKeys == null ? "" : "the flags of this run (" + flagKeys.origin() + ")");
        return new Outcome(Severity.ERROR, name, name + ": not applied: " + reason + "; "
                + (previous ? "the previous configuration of " + target + " stays in force" : instead));
    }

    /** {@code feature core}, or as given for a base that starts with a flag ({@code flag -init-node}). */
    private static String describe(Defaults base) {
        return base.feature().startsWith("flag ") ? base.feature() : "feature " + base.feature();
    }

    private String display(Path file) {
        Path relative = file.startsWith(etcDir) ? etcDir.relativize(file) : file.getFileName();
        return etcDisplay + "/" + relative;
    }
}
