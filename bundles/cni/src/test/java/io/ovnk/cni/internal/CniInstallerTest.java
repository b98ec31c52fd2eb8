package io.ovnk.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CniInstallerTest {

    static final String DEFAULT = CniComponent.DEFAULT_SOCKET;

    @TempDir
    Path dir;

    private Path bin() {
        return dir.resolve("opt/cni/bin");
    }

    private Path conf() {
        return dir.resolve("etc/cni/net.d");
    }

    private Object identity(Path file) throws Exception {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    @Test
    void installWritesTheShim0750AndTheConfigurationList0640() throws Exception {
        byte[] shim = CniInstaller.shim();
        CniInstaller.install(shim, bin(), conf(), DEFAULT, DEFAULT);
        Path plugin = bin().resolve("ovn-k8s-cni-overlay");
        assertEquals(List.of(shim.length), List.of((int) Files.size(plugin)));
        assertEquals(PosixFilePermissions.fromString("rwxr-x---"), Files.getPosixFilePermissions(plugin));
        Path list = conf().resolve("10-ovn-kubernetes.conflist");
        assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(list),
                "the network configuration is not world-readable");
        assertEquals(CniRequestParser.JSON.readTree("{\"cniVersion\":\"1.1.0\",\"name\":\"ovn-kubernetes\","
                + "\"plugins\":[{\"type\":\"ovn-k8s-cni-overlay\"}]}"), CniRequestParser.JSON.readTree(list.toFile()));
        try (Stream<Path> files = Stream.concat(Files.list(bin()), Files.list(conf()))) {
            assertEquals(2, files.count(), "no temporary file is left");
        }
    }

    @Test
    void configurationListNamesTheSocketWhenItIsNotTheDefault() throws Exception {
        CniInstaller.install(CniInstaller.shim(), bin(), conf(), "/run/other.sock", DEFAULT);
        assertEquals(CniRequestParser.JSON.readTree("{\"cniVersion\":\"1.1.0\",\"name\":\"ovn-kubernetes\","
                + "\"plugins\":[{\"type\":\"ovn-k8s-cni-overlay\",\"socketPath\":\"/run/other.sock\"}]}"),
                CniRequestParser.JSON.readTree(conf().resolve("10-ovn-kubernetes.conflist").toFile()));
    }

    @Test
    void installLeavesFilesThatAreAlreadyRightUntouched() throws Exception {
        byte[] shim = CniInstaller.shim();
        CniInstaller.install(shim, bin(), conf(), DEFAULT, DEFAULT);
        Path plugin = bin().resolve("ovn-k8s-cni-overlay");
        Path list = conf().resolve("10-ovn-kubernetes.conflist");
        Object pluginBefore = identity(plugin);
        Object listBefore = identity(list);
        CniInstaller.install(shim, bin(), conf(), DEFAULT, DEFAULT);
        assertEquals(pluginBefore, identity(plugin));
        assertEquals(listBefore, identity(list));
        CniInstaller.install(shim, bin(), conf(), "/run/other.sock", DEFAULT);
        assertEquals(pluginBefore, identity(plugin), "the shim did not change");
        assertNotEquals(listBefore, identity(list), "the list was replaced by rename");
    }

    @Test
    void installReplacesADifferentShimAndRepairsItsMode() throws Exception {
        Path plugin = bin().resolve("ovn-k8s-cni-overlay");
        Files.createDirectories(bin());
        Files.writeString(plugin, "old");
        CniInstaller.install(CniInstaller.shim(), bin(), conf(), DEFAULT, DEFAULT);
        assertTrue(Files.size(plugin) > 3);
        Files.setPosixFilePermissions(plugin, PosixFilePermissions.fromString("rwx------"));
        assertTrue(CniInstaller.writeIfChanged(plugin, Files.readAllBytes(plugin),
                PosixFilePermissions.fromString("rwxr-xr-x")));
        assertEquals(PosixFilePermissions.fromString("rwxr-xr-x"), Files.getPosixFilePermissions(plugin));
        assertFalse(CniInstaller.writeIfChanged(plugin, Files.readAllBytes(plugin),
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @Test
    void embeddedShimIsAnElfExecutable() throws Exception {
        byte[] shim = CniInstaller.shim();
        assertEquals("\u007fELF", new String(shim, 0, 4, StandardCharsets.ISO_8859_1));
    }
}
