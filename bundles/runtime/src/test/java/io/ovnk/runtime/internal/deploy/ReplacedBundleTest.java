package io.ovnk.runtime.internal.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.runtime.internal.deploy.ReplacedBundle.Installed;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplacedBundleTest {

    private static final Path HOME = Path.of("/opt/ovnk");
    private static final Path DEPLOY = HOME.resolve("deploy");
    private static final Installed SYSTEM = new Installed(0, "org.apache.felix.framework", "7.0.5", "System Bundle");
    private static final Installed UNDERLAY = new Installed(57, "io.ovnk.underlay", "0.1.0.SNAPSHOT",
            "file:/opt/ovnk/system/io/ovnk/underlay/0.1.0-SNAPSHOT/underlay-0.1.0-SNAPSHOT.jar");
    private static final Installed DEPLOYED = new Installed(70, "org.example.tool", "1.0.0",
            "file:/opt/ovnk/deploy/tool.jar");
    private static final List<Installed> INSTALLED = List.of(SYSTEM, UNDERLAY, DEPLOYED);

    @Test
    void aJarNamingAFeatureBundleReplacesItWhateverItsVersion() {
        assertEquals(Optional.of(UNDERLAY), ReplacedBundle.of("io.ovnk.underlay", INSTALLED, DEPLOY));
        assertEquals(Optional.of(UNDERLAY), ReplacedBundle.of(" io.ovnk.underlay ;singleton:=true", INSTALLED, DEPLOY));
    }

    @Test
    void aJarOfItsOwnIsLeftToFileInstall() {
        assertEquals(Optional.empty(), ReplacedBundle.of("org.example.new", INSTALLED, DEPLOY), "a new bundle");
        assertEquals(Optional.empty(), ReplacedBundle.of("org.example.tool", INSTALLED, DEPLOY),
                "a bundle that came from deploy/ is updated by FileInstall from its own jar");
        assertEquals(Optional.empty(), ReplacedBundle.of("org.apache.felix.framework", INSTALLED, DEPLOY),
                "never the framework");
        assertEquals(Optional.empty(), ReplacedBundle.of(null, INSTALLED, DEPLOY), "no Bundle-SymbolicName");
        assertEquals(Optional.empty(), ReplacedBundle.of(" ;singleton:=true", INSTALLED, DEPLOY), "an empty name");
    }

    @Test
    void aDeployDirectoryNamedRelativelyOrWithDotsIsTheSame() {
        Installed underDots = new Installed(71, "org.example.dots", "1.0.0", "file:/opt/ovnk/etc/../deploy/dots.jar");
        assertEquals(Optional.empty(), ReplacedBundle.of("org.example.dots", List.of(underDots), DEPLOY));
        Installed elsewhere = new Installed(72, "org.example.other", "1.0.0", "file:/opt/ovnk/deployed/other.jar");
        assertEquals(Optional.of(elsewhere), ReplacedBundle.of("org.example.other", List.of(elsewhere), DEPLOY),
                "deployed/ is not deploy/");
    }

    @Test
    void theBundlesThatRunDeployCannotBeUpdatedThroughIt() {
        Installed fileInstall = new Installed(9, "org.apache.felix.fileinstall", "3.7.4",
                "file:/opt/ovnk/system/org/apache/felix/org.apache.felix.fileinstall/3.7.4/x.jar");
        Installed runtime = new Installed(20, "io.ovnk.runtime", "0.1.0.SNAPSHOT", "file:/opt/ovnk/system/runtime.jar");
        assertEquals(Optional.of("org.apache.felix.fileinstall runs deploy/ itself and cannot be updated through it; "
                + "replace its jar in system/ and restart"), ReplacedBundle.notUpdatable(fileInstall, "io.ovnk.runtime"));
        assertEquals(Optional.of("io.ovnk.runtime runs deploy/ itself and cannot be updated through it; replace its "
                + "jar in system/ and restart"), ReplacedBundle.notUpdatable(runtime, "io.ovnk.runtime"));
        assertEquals(Optional.empty(), ReplacedBundle.notUpdatable(UNDERLAY, "io.ovnk.runtime"));
    }
}
