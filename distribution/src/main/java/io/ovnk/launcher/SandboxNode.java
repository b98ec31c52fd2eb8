package io.ovnk.launcher;

import io.ovnk.ovnstack.Chassis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A further node of {@code ovnkube sandbox --nodes N}: a node agent (node role, overlay) in its own ovnkube process,
 * as every node of a real cluster runs one. Its home is a directory under the sandbox's: its own etc/ (the node's
 * settings, as an operator would write them), data/ and log/; conf/, features/, system/ and lib/ link to this
 * distribution's. Stopped by its PID (SIGTERM, then SIGKILL after 30 s) when the sandbox closes.
 */
final class SandboxNode implements AutoCloseable {

    private static final List<String> SHARED = List.of("conf", "features", "system", "lib");

    private final String name;
    private final Path home;
    private final Process process;

    private SandboxNode(String name, Path home, Process process) {
        this.name = name;
        this.home = home;
        this.process = process;
    }

    /** The node's settings, each an etc/ file of its home. */
    record Settings(String name, Chassis chassis, String apiUrl, String southbound) {
    }

    static SandboxNode start(Distribution distribution, Path home, Settings settings) throws LaunchException {
        try {
            Files.createDirectories(home);
            for (String shared : SHARED) {
                Path link = home.resolve(shared);
                if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, distribution.home().resolve(shared));
                }
            }
            Path etc = Files.createDirectories(home.resolve("etc"));
            Files.createDirectories(home.resolve("deploy"));
            Path log = Files.createDirectories(home.resolve("log"));
            Files.copy(distribution.etc().resolve("io.ovnk.runtime.cfg"), etc.resolve("io.ovnk.runtime.cfg"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            write(etc, "io.ovnk.launcher.cfg", "roles = node", "mode = overlay", "features =");
            write(etc, "io.ovnk.kube.cfg", "api.server = " + settings.apiUrl());
            write(etc, "io.ovnk.ovsdb.connection~ovs.cfg", "database = Open_vSwitch",
                    "remotes = " + settings.chassis().database().unixRemote());
            write(etc, "io.ovnk.overlay.node.cfg", "node.name = " + settings.name(),
                    "encap.ip = " + settings.chassis().encapIp(), "sb.remotes = " + settings.southbound(),
                    "datapath.type = netdev", "host.netns = " + settings.chassis().namespace().orElseThrow(),
                    // the userspace datapath cannot offload checksums across Geneve
                    "pod.tx.checksum.offload = false");
            write(etc, "io.ovnk.cni.cfg", "socket.path = " + cniSocket(home), "bin.dir = " + cniBin(home),
                    "conf.dir = " + cniConf(home));
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder builder = new ProcessBuilder(java, "-Dovnk.home=" + home, "-Dovnk.cwd=" + home, "-cp",
                    distribution.home().resolve("lib") + "/*", Main.class.getName(), "run")
                    .directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.resolve("ovnkube.out").toFile());
            builder.environment().put("OVNK_CONSOLE_LOG", "OFF");
            return new SandboxNode(settings.name(), home, builder.start());
        } catch (IOException e) {
            throw new LaunchException("sandbox: node " + settings.name() + " did not start in " + home + ": "
                    + e.getMessage(), e);
        }
    }

    private static void write(Path etc, String file, String... lines) throws IOException {
        Files.writeString(etc.resolve(file), String.join("\n", lines) + "\n");
    }

    static Path cniBin(Path home) {
        return home.resolve("cni/bin");
    }

    static Path cniConf(Path home) {
        return home.resolve("cni/net.d");
    }

    static Path cniSocket(Path home) {
        return home.resolve("cni/run/cni.sock"); // a directory of its own: the server refuses a shared one
    }

    String name() {
        return name;
    }

    Path home() {
        return home;
    }

    Path log() {
        return home.resolve("log/ovnk.log");
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM (ovnk stops its components in order), then SIGKILL if it has not ended within 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
