package io.ovnk.runtime.internal.config;

import io.ovnk.runtime.internal.DirectoryWatcher;
import io.ovnk.runtime.internal.RuntimePaths;
import io.ovnk.runtime.internal.config.ConfigurationSync.Outcome;
import io.ovnk.runtime.internal.config.ConfigurationSync.Settings;
import io.ovnk.runtime.internal.config.ConfigurationSync.UnknownKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code etc/*.cfg} and {@code etc/*.config} and the started features' default configurations to
 * Config Admin, live, after checking each against its PID's metatype. Wiring only: the decisions are made
 * by {@link ConfigurationSync}, on this component's one worker thread.
 */
@Component(immediate = true, service = {}, configurationPid = EtcConfiguration.PID)
@Designate(ocd = EtcConfiguration.Config.class)
public final class EtcConfiguration {

    static final String PID = "io.ovnk.runtime";

    @ObjectClassDefinition(name = "ovnk runtime", description = "How the files in etc/ are checked and applied")
    public @interface Config {
        @AttributeDefinition(name = "Unknown keys", description = "What to do with a file that sets a key its "
                + "PID's metatype does not describe (usually a typo)", options = {
                    @Option(label = "apply the file and log a warning naming the key", value = "warn"),
                    @Option(label = "do not apply the file", value = "reject"),
                    @Option(label = "apply the file silently", value = "ignore") })
        String unknown_keys() default "warn";

        @AttributeDefinition(name = "Largest file", description = "Configuration files larger than this many "
                + "bytes are refused unread", min = "1")
        long max_file_bytes() default 1_048_576;
    }

    private static final Logger LOG = LoggerFactory.getLogger(EtcConfiguration.class);
    /** Long enough to see an editor's truncate-and-write as one change, short enough to feel live. */
    private static final Duration SETTLE = Duration.ofMillis(100);

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final MetaTypeService metaType;
    /** The one thread that runs {@link ConfigurationSync}: file events and setting changes queue here. */
    private final ExecutorService worker;
    /** What was last logged per subject, so a rescan does not repeat a line the operator has already seen. */
    private final Map<String, String> lastLogged = new HashMap<>();
    private volatile Settings settings;
    private ConfigurationSync sync;
    private volatile DirectoryWatcher watcher;

    @Activate
    public EtcConfiguration(BundleContext context, @Reference ConfigurationAdmin configAdmin,
            @Reference MetaTypeService metaType, Config config) {
        this.context = context;
        this.configAdmin = configAdmin;
        this.metaType = metaType;
        this.settings = settings(config);
        this.worker = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ovnk-etc");
            thread.setDaemon(true);
            return thread;
        });
        worker.execute(this::start);
    }

    @Modified
    void modified(Config config) {
        Settings changed = settings(config);
        if (!changed.equals(settings)) {
            settings = changed;
            LOG.info("{}: unknown keys {}, files up to {} bytes; re-checking etc/", PID,
                    changed.unknownKeys().name().toLowerCase(Locale.ROOT), changed.maxFileBytes());
            submit(() -> {
                if (sync != null) {
                    log(sync.applyAll(settings), true);
                }
            });
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        worker.shutdown();
        if (!worker.awaitTermination(15, TimeUnit.SECONDS)) {
            LOG.warn("{}: configuration worker did not stop within 15 s", PID);
            worker.shutdownNow();
        }
        DirectoryWatcher stopping = watcher;
        if (stopping != null) {
            stopping.close();
        }
    }

    /** Queues work for the worker; once deactivation has begun, late file events are dropped on purpose. */
    private void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException stopping) {
            LOG.debug("{}: stopping, a late configuration event is not applied", PID);
        }
    }

    private void start() {
        RuntimePaths paths = RuntimePaths.of(context);
        Path etc = paths.etc();
        try {
            Files.createDirectories(etc);
        } catch (IOException e) {
            LOG.error("{}: cannot create the configuration directory: {}; etc/ files are not applied", etc, e.toString());
            return;
        }
        FeatureConfigurations.Loaded features = FeatureConfigurations.read(paths.features());
        features.problems().forEach(problem -> LOG.error("{}; that configuration is not applied", problem));
        RunLayer.Loaded flags = runLayer(paths);
        sync = new ConfigurationSync(etc, paths.display(etc), RunLayer.under(features.defaults(), flags.implied()),
                flags.flags(), new ConfigAdminStore(configAdmin), new MetaTypeSchemas(context, metaType));
        try {
            watcher = new DirectoryWatcher(etc, ConfigFileReader::isConfigFile, SETTLE, new DirectoryWatcher.Listener() {
                @Override
                public void rescan() {
                    submit(() -> log(sync.applyAll(settings), true));
                }

                @Override
                public void changed(Path file) {
                    submit(() -> log(List.of(sync.fileChanged(file, settings)), false));
                }

                @Override
                public void deleted(Path file) {
                    submit(() -> log(List.of(sync.fileDeleted(file, settings)), false));
                }
            }, "ovnk-etc-watch");
        } catch (IOException e) {
            LOG.error("{}: cannot be watched: {}; etc/ changes are not applied until restart", etc, e.toString());
            log(sync.applyAll(settings), true);
            return;
        }
        watcher.start();
        LOG.info("{}: watching {} for configuration files ({} feature default configurations)", PID, etc,
                features.defaults().size());
    }

    /** The command-line flags' configuration of this run, when bin/ovnkube was given flags. */
    private RunLayer.Loaded runLayer(RuntimePaths paths) {
        String property = context.getProperty(RunLayer.PROPERTY);
        if (property == null || property.isBlank()) {
            return RunLayer.Loaded.none();
        }
        Path file = paths.home().resolve(property.trim());
        RunLayer.Loaded flags = RunLayer.read(file, paths.display(file));
        flags.problems().forEach(problem -> LOG.error(problem));
        if (!flags.flags().isEmpty() || !flags.implied().isEmpty()) {
            LOG.info("{}: command-line flags configure {} for this run (over etc/) and {} under etc/; etc/ stays "
                    + "as it is", paths.display(file), flags.flags().keySet(), flags.implied().keySet());
        }
        return flags;
    }

    /**
     * @param rescan true when the lines come from a re-check of everything: then a line that repeats what was
     *        last said about the same file is left out
     */
    private void log(List<Outcome> outcomes, boolean rescan) {
        for (Outcome outcome : outcomes) {
            String previous = lastLogged.put(outcome.subject(), outcome.message());
            if (rescan && outcome.message().equals(previous)) {
                continue;
            }
            switch (outcome.severity()) {
                case ERROR -> LOG.error(outcome.message());
                case WARN -> LOG.warn(outcome.message());
                case INFO -> LOG.info(outcome.message());
                case DEBUG -> LOG.debug(outcome.message());
            }
        }
    }

    private static Settings settings(Config config) {
        UnknownKeys unknownKeys;
        try {
            unknownKeys = UnknownKeys.valueOf(config.unknown_keys().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            LOG.error("{}: unknown.keys \"{}\" is not one of warn, reject, ignore; using warn", PID,
                    config.unknown_keys());
            unknownKeys = UnknownKeys.WARN;
        }
        long maxBytes = config.max_file_bytes() > 0 ? config.max_file_bytes() : 1_048_576;
        return new Settings(unknownKeys, maxBytes);
    }
}
