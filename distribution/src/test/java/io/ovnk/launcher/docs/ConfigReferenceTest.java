package io.ovnk.launcher.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is what the built bundles' metatype says: regenerated here from the features' system
 * repository (features/target/system, filled before this module in the reactor), it must equal the committed file.
 */
class ConfigReferenceTest {

    /** Surefire runs in distribution/; the repository root is its parent. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /**
     * The system repository is made in the features module's package phase, so it exists whenever the reactor
     * reaches this module's tests in "verify" or "install" (and after any install, for "-pl distribution"); only a
     * bare "mvn test" from a clean tree has no bundle jars to read.
     */
    @BeforeAll
    static void bundlesAreBuilt() {
        assumeTrue(Files.isDirectory(ConfigReference.systemRepository(ROOT).resolve("io/ovnk")),
                "no features/target/system yet (mvn test from a clean tree): the reference is checked from package on");
    }

    @Test
    void theCommittedReferenceIsWhatTheBundlesMetatypeSays() throws Exception {
        String expected = ConfigReference.generate(ROOT);
        Path committed = ROOT.resolve(ConfigReference.OUTPUT);
        String howToFix = "\nRegenerate it (from the repository root) with:\n    " + ConfigReference.REGENERATE
                + "\nand commit " + ConfigReference.OUTPUT + ".";
        if (!Files.exists(committed)) {
            fail(ConfigReference.OUTPUT + " does not exist." + howToFix);
        }
        String actual = Files.readString(committed, StandardCharsets.UTF_8);
        if (!expected.equals(actual)) {
            fail(ConfigReference.OUTPUT + " is out of date with the bundles' metatype (first difference: "
                    + firstDifference(expected, actual) + ")." + howToFix);
        }
    }

    @Test
    void everyConfiguredBundleOfTheDistributionIsInTheReference() throws Exception {
        String reference = ConfigReference.generate(ROOT);
        // the PIDs the README documents are all there, each with its keys' table
        for (String pid : List.of("io.ovnk.ovsdb.connection` (factory PID)", "io.ovnk.ipam`", "io.ovnk.kube`",
                "io.ovnk.master`", "io.ovnk.overlay.node`", "io.ovnk.cni`", "io.ovnk.gateway`", "io.ovnk.runtime`",
                "io.ovnk.launcher`")) {
            assertTrue(reference.contains("### `" + pid + "\n"), pid);
        }
        assertTrue(reference.contains("feature `master` sets `cluster.subnets`"), "feature defaults are shown");
    }

    @Test
    void multiValuedDefaultsSplitOnUnescapedCommas() {
        assertEquals(List.of("a", "b,c", "d"), ConfigReference.splitDefault("a, b\\,c,d"));
        assertEquals(List.of(), ConfigReference.splitDefault(""));
    }

    private static String firstDifference(String expected, String actual) {
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        for (int i = 0; i < Math.max(e.length, a.length); i++) {
            String el = i < e.length ? e[i] : "<end of file>";
            String al = i < a.length ? a[i] : "<end of file>";
            if (!el.equals(al)) {
                return "line " + (i + 1) + ": expected \"" + el + "\" but the file has \"" + al + "\"";
            }
        }
        return "none";
    }
}
