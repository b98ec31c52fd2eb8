package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A jar in deploy/ whose Bundle-SymbolicName is a bundle of the started features is an update of that bundle in
 * place, never a second bundle beside it: whatever its version, whether it is dropped in while ovnk runs or lies
 * there when ovnk starts (FileInstall's first scan waits until every feature bundle and the runtime have started).
 * Removing it puts the distribution's jar back. Shown on io.ovnk.shell, whose Gogo commands need nothing else.
 */
class FeatureBundleDeployIT {

    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration LIVE = Duration.ofSeconds(30);
    private static final String VERSION = System.getProperty("ovnk.version");
    private static final Path SHELL_JAR = Ovnkube.DISTRIBUTION.resolve("system/io/ovnk/shell/" + VERSION + "/shell-"
            + VERSION + ".jar");

    @TempDir
    Path dir;

    @Test
    void aJarNamingAFeatureBundleUpdatesItInPlaceAtStartAndLiveAndItsRemovalRestoresIt() throws Exception {
        byte[] original = Files.readAllBytes(SHELL_JAR);
        String version = TestBundles.version(original);
        String hotfix = version + "-hotfix1";
        try (Ovnkube ovnkube = new Ovnkube(dir)) {
            // present before the start, with another version
            Path deployed = ovnkube.home().resolve("deploy/io.ovnk.shell.jar");
            Files.write(deployed, TestBundles.rebuilt(original, hotfix, null));
            ovnkube.start("console");
            ovnkube.awaitEach(START, "ovnk started in", updated(version, hotfix));
            assertEquals(List.of("io.ovnk.shell (" + hotfix + ")"), shellBundles(ovnkube), "one shell bundle, updated");

            // replaced while running by a rebuild of the distribution's version
            Path next = dir.resolve("io.ovnk.shell.jar");
            Files.write(next, TestBundles.rebuilt(original, null, "rebuilt"));
            Files.move(next, deployed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            ovnkube.await(updated(hotfix, version), LIVE);
            assertEquals(List.of("io.ovnk.shell (" + version + ")"), shellBundles(ovnkube));

            // removed: the distribution's jar is back
            Files.delete(deployed);
            ovnkube.await("deploy/io.ovnk.shell.jar: removed; feature bundle io.ovnk.shell is back to the "
                    + "distribution's jar \\(" + Pattern.quote(version) + " -> " + Pattern.quote(version) + "\\), active",
                    LIVE);
            assertEquals(List.of("io.ovnk.shell (" + version + ")"), shellBundles(ovnkube));
            assertEquals(0, ovnkube.count("INFO", "deploy/io.ovnk.shell.jar: installed"), "never installed beside it");
            assertEquals(0, ovnkube.count("ERROR", "io.ovnk.shell"), String.join("\n", ovnkube.output()));
        }
    }

    private static String updated(String from, String to) {
        return "deploy/io.ovnk.shell.jar: updated feature bundle io.ovnk.shell in place \\(" + Pattern.quote(from)
                + " -> " + Pattern.quote(to) + "\\), active";
    }

    /** The shell bundles Gogo's lb lists, as {@code name (version)}. */
    private static List<String> shellBundles(Ovnkube ovnkube) throws Exception {
        Pattern bundle = Pattern.compile("\\|\\s*(io\\.ovnk\\.shell \\([^)]*\\))");
        return gogo(ovnkube, "lb -s io.ovnk.shell").stream().map(bundle::matcher).filter(java.util.regex.Matcher::find)
                .map(m -> m.group(1)).toList();
    }

    /** Runs a Gogo command and returns what the console printed until a marker echoed after it. */
    private static List<String> gogo(Ovnkube ovnkube, String command) throws Exception {
        String marker = "end-of-" + UUID.randomUUID();
        int start = ovnkube.output().size();
        ovnkube.stdin().write((command + "\necho " + marker + "\n").getBytes(StandardCharsets.UTF_8));
        ovnkube.stdin().flush();
        ovnkube.await("^(g! )*" + marker + "$", LIVE);
        List<String> output = ovnkube.output();
        return output.subList(start, output.size());
    }
}
