package io.ovnk.launcher;

import io.ovnk.launcher.flags.ConfigReport;
import io.ovnk.launcher.flags.ConfigSources;
import io.ovnk.launcher.flags.Flag;
import io.ovnk.launcher.flags.Flags;
import io.ovnk.launcher.flags.RunConfiguration;
import io.ovnk.launcher.flags.RunLayerFile;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;

/**
 * {@code bin/ovnkube}: starts Felix with the features of the configured roles and mode.
 * <pre>
 * ovnkube [run]    headless, logs to log/ovnk.log and the console
 * ovnkube console  the same with an interactive Gogo shell
 * ovnkube sandbox  one node on a private OVN stack with a mock Kubernetes API, demo pods and live checks
 * </pre>
 * Exit status: 0 after a clean stop, 1 when the framework failed, 2 for bad usage or configuration.
 */
public final class Main {

    static final String USAGE = """
            usage: ovnkube [run|console|sandbox|help] [FLAGS]
              run       start ovnk headless (the default); logs to log/ovnk.log and the console
              console   start ovnk with an interactive Gogo shell
              sandbox   one node on this machine (root, Debian packages: bash .ci/setup): a private OVS/OVN
                        stack, a mock Kubernetes API, ovnk (master, node, overlay, gateway), a demo namespace
                        with two pods and a NodePort Service, live checks; Ctrl-C removes all of it.
                        --nodes N (1-4): N chassis over Geneve, a node agent process for each further node
              help      this text
            bin/ovnkube also has start (in the background), stop and status.
            Roles, mode and extra features: etc/io.ovnk.launcher.cfg, or the flags below.
            Flags (ovn-kubernetes' -flag and --flag, -flag=VALUE or -flag VALUE) configure this run only: their
            keys win over etc/ files and are never written there; --print-config shows the merged result.""";

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0 || !SHUTTING_DOWN.get()) {
            System.exit(status);
        }
    }

    /** Set by the shutdown hook: System.exit must not be called while hooks run (it would block). */
    private static final AtomicBoolean SHUTTING_DOWN = new AtomicBoolean();

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, new ThisHost());
    }

    static int run(String[] args, PrintStream out, PrintStream err, RunConfiguration.Host host) {
        boolean commandGiven = args.length > 0 && !args[0].startsWith("-");
        String command = commandGiven ? args[0] : "run";
        List<String> flagArguments = Arrays.asList(args).subList(commandGiven ? 1 : 0, args.length);
        switch (command) {
            case "help" -> {
                out.println(USAGE + "\n\n" + Flags.help());
                return 0;
            }
            case "run", "console", "sandbox" -> {
                // handled below
            }
            default -> {
                err.println("ovnkube: unknown command \"" + command + "\"\n" + USAGE);
                return 2;
            }
        }
        Distribution distribution = new Distribution(Path.of(System.getProperty("ovnk.home", ".")));
        long started = System.nanoTime();
        RunConfiguration run;
        int sandboxNodes = 1;
        try {
            if (command.equals("sandbox")) {
                Sandbox.Arguments sandboxArguments = Sandbox.arguments(flagArguments);
                sandboxNodes = sandboxArguments.nodes();
                flagArguments = sandboxArguments.rest();
            }
            List<Flag.Given> flags = Flags.parse(flagArguments);
            if (flags.stream().anyMatch(f -> f.flag() == Flags.HELP)) {
                out.println(USAGE + "\n\n" + Flags.help());
                return 0;
            }
            Path settingsFile = distribution.etc().resolve(LaunchSettings.PID + ".cfg");
            LaunchSettings etcSettings = LaunchSettings.read(settingsFile, distribution.display(settingsFile));
            ConfigSources etc = ConfigSources.read(List.of(), distribution.etc());
            Path workingDirectory = Path.of(System.getProperty("ovnk.cwd", System.getProperty("user.dir")));
            run = RunConfiguration.build(flags, etcSettings, etc.etcLookup(), host, workingDirectory);
            if (command.equals("sandbox")) {
                run = Sandbox.launchSettings(run);
            }
            if (run.printConfig()) {
                FeatureSet.read(distribution.features(), run.settings().features(), distribution.system());
                List<Path> featureFiles = run.settings().features().stream().map(distribution::feature).toList();
                out.print(ConfigReport.render(run, ConfigSources.read(featureFiles, distribution.etc()),
                        distribution.display(distribution.log().resolve("ovnk.log"))));
                return 0;
            }
        } catch (LaunchException e) {
            err.println("ovnkube: " + e.getMessage());
            return 2;
        }
        try (InstanceLock lock = InstanceLock.acquire(distribution)) {
            LaunchSettings settings = run.settings();
            FeatureSet features = FeatureSet.read(distribution.features(), settings.features(), distribution.system());
            int bundleCount = features.bundles().size(); // every jar is checked before anything starts
            Map<String, String> extra = new LinkedHashMap<>();
            // the sandbox has the Gogo shell on its input when it runs in a terminal
            boolean gogo = command.equals("console") || (command.equals("sandbox") && System.console() != null);
            extra.put("gosh.args", gogo ? "" : "--nointeractive");
            extra.put("ovnk.roles", String.join(",", settings.roles()));
            extra.put("ovnk.mode", settings.mode());
            if (!run.settingsOrigin().isEmpty()) {
                extra.put("ovnk.launcher.flags", String.join(" ", run.settingsOrigin()));
            }
            Path logFile = configureLogging(distribution, command, run);

            Sandbox sandbox = command.equals("sandbox") ? Sandbox.start(distribution, sandboxNodes) : null;
            if (sandbox != null) {
                sandbox.printStack(out);
                run = sandbox.configure(run); // the sandbox's ovnk is configured by the run layer, never in etc/
            }
            // the flags' configuration for this run; removed when the run ends (it may hold a token)
            RunLayerFile.remove(distribution.data());
            if (run.hasLayer()) {
                try {
                    extra.put(RunLayerFile.PROPERTY, RunLayerFile.write(distribution.data(), run).toString());
                } catch (LaunchException e) {
                    if (sandbox != null) {
                        sandbox.close();
                    }
                    throw e;
                }
            }
            FrameworkRunner runner = new FrameworkRunner(distribution, features, extra);
            Thread hook = new Thread(() -> {
                SHUTTING_DOWN.set(true);
                long stopping = System.nanoTime();
                boolean clean = runner.stop();
                RunLayerFile.remove(distribution.data());
                if (sandbox != null) {
                    try {
                        sandbox.close();
                    } catch (RuntimeException e) {
                        err.println("ovnkube sandbox: clean-up incomplete: " + e.getMessage());
                    }
                }
                out.printf("ovnkube: %s in %d ms%n", clean ? "stopped" : "did not stop cleanly",
                        (System.nanoTime() - stopping) / 1_000_000);
            }, "ovnkube-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            if (sandbox != null) {
                // this hook stops ovnk and then the sandbox; the stack's own hook would stop the daemons under ovnk
                sandbox.closedByThisLauncherOnShutdown();
            }
            out.printf("ovnkube %s: roles %s, mode %s, features %s, %d bundles; log: %s%n", version(),
                    String.join(",", settings.roles()), settings.mode(), String.join(",", settings.features()),
                    bundleCount, distribution.display(logFile));
            long logOffset = LogFollower.end(logFile);
            Framework framework;
            try {
                framework = runner.start();
            } catch (LaunchException e) {
                Runtime.getRuntime().removeShutdownHook(hook);
                RunLayerFile.remove(distribution.data());
                if (sandbox != null) {
                    sandbox.close();
                }
                throw e;
            }
            out.printf("ovnkube: framework up in %d ms; bundles start in the background (see the log)%n",
                    (System.nanoTime() - started) / 1_000_000);
            if (sandbox != null) {
                try {
                    sandbox.demo(out, logFile, logOffset, gogo);
                } catch (LaunchException | RuntimeException e) {
                    if (!sandbox.closed()) {
                        err.println("ovnkube sandbox: the demo did not come up: " + e.getMessage()
                                + "\novnkube sandbox: ovnk and the stack stay up for a look; Ctrl-C removes them");
                    }
                }
            }
            FrameworkEvent stopped = framework.waitForStop(0);
            if (!SHUTTING_DOWN.get()) {
                // stopped from inside (Gogo "stop 0", console at end of input): clean up as a signal would
                Runtime.getRuntime().removeShutdownHook(hook);
                hook.run();
            }
            return stopped.getType() == FrameworkEvent.ERROR ? 1 : 0;
        } catch (LaunchException e) {
            err.println("ovnkube: " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            err.println("ovnkube: " + e);
            return 1;
        }
    }

    /**
     * Logback runs inside the framework and reads these system properties: the configuration file, the log
     * directory, and how much goes to the console (OVNK_CONSOLE_LOG; bin/ovnkube start sets OFF).
     */
    private static Path configureLogging(Distribution distribution, String command, RunConfiguration run) {
        Path julConfig = distribution.conf().resolve("java.util.logging.properties");
        if (System.getProperty("java.util.logging.config.file") == null && Files.isRegularFile(julConfig)) {
            try (var in = Files.newInputStream(julConfig)) {
                java.util.logging.LogManager.getLogManager().readConfiguration(in);
            } catch (IOException e) {
                System.err.println("ovnkube: " + distribution.display(julConfig) + " ignored: " + e.getMessage());
            }
        }
        System.setProperty("logback.configurationFile",
                System.getProperty("logback.configurationFile", distribution.conf().resolve("logback.xml").toString()));
        System.setProperty("ovnk.log.dir", System.getProperty("ovnk.log.dir", distribution.log().toString()));
        Path logFile = run.logFile().orElse(Path.of(System.getProperty("ovnk.log.dir")).resolve("ovnk.log"));
        System.setProperty("ovnk.log.file", logFile.toString());
        // rotated files sit next to the log: ovnkube.log rolls to ovnkube.2026-11-26.0.log.gz
        System.setProperty("ovnk.log.archive", logFile.toString().replaceFirst("\\.log$", ""));
        run.logLevel().ifPresent(level -> System.setProperty("ovnk.log.level", level));
        String console = System.getenv("OVNK_CONSOLE_LOG");
        if (console == null || console.isBlank()) {
            // the sandbox prints what it built and its checks; ovnk's own lines go to the log
            console = command.equals("run") ? "INFO" : "WARN";
        }
        System.setProperty("ovnk.console.level", console);
        return logFile;
    }

    /** What flags take from this host when they leave it out, as ovn-kubernetes does. */
    static final class ThisHost implements RunConfiguration.Host {
        /** The source address the kernel picks towards the host; a UDP "connect" sends nothing. Not loopback. */
        @Override
        public Optional<String> addressTowards(String host) {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.connect(InetAddress.getByName(host), 9);
                InetAddress local = socket.getLocalAddress();
                return local == null || local.isAnyLocalAddress() || local.isLoopbackAddress() ? Optional.empty()
                        : Optional.of(local.getHostAddress().replaceFirst("%.*$", ""));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        /** The interface of the IPv4 default route, from /proc/net/route. */
        @Override
        public Optional<String> defaultRouteInterface() {
            try {
                return Files.readAllLines(Path.of("/proc/net/route")).stream().skip(1).map(l -> l.trim().split("\\s+"))
                        .filter(f -> f.length > 2 && f[1].equals("00000000")).map(f -> f[0]).findFirst();
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version != null ? version : "(development)";
    }

    /** One process per distribution directory: the framework cache and the log files are not shared. */
    static final class InstanceLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private InstanceLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static InstanceLock acquire(Distribution distribution) throws LaunchException {
            Path file = distribution.data().resolve("ovnkube.lock");
            try {
                Files.createDirectories(file.getParent());
                FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.READ);
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    String holder = Files.readString(file).strip();
                    channel.close();
                    throw new LaunchException("another ovnkube (pid " + (holder.isEmpty() ? "?" : holder)
                            + ") runs from " + distribution.home() + "; stop it first (bin/ovnkube stop)");
                }
                channel.truncate(0);
                channel.write(java.nio.ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes()));
                return new InstanceLock(channel, lock);
            } catch (IOException e) {
                throw new LaunchException("cannot lock " + distribution.display(file) + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // the process is ending; the lock goes with it
            }
        }
    }
}
