package io.ovnk.cni.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Puts what kubelet needs in place: the shim in the CNI bin directory (0755) and the network configuration list in
 * the CNI conf directory (0644). Each file is written to a temporary file beside it and renamed over the old one,
 * so kubelet never sees half a file, and only when its content or mode differs. Nothing is removed when the server
 * stops: kubelet keeps using the files, and the shim answers "try again later" until a server answers again.
 */
final class CniInstaller {

    static final String PLUGIN = "ovn-k8s-cni-overlay";
    static final String CONF_LIST = "10-ovn-kubernetes.conflist";
    static final String NETWORK = "ovn-kubernetes";
    /** Where the build puts the compiled shim inside the bundle. */
    static final String SHIM_RESOURCE = "/bin/" + PLUGIN;

    private static final Logger LOG = LoggerFactory.getLogger(CniInstaller.class);
    /** kubelet (root) runs the shim; nothing ovnk writes is for every user. */
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-x---");
    /** kubelet (root) reads the network configuration; no one else needs it. */
    private static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r-----");

    private CniInstaller() {
    }

    /** The shim as the build embedded it. */
    static byte[] shim() throws IOException {
        try (InputStream in = CniInstaller.class.getResourceAsStream(SHIM_RESOURCE)) {
            if (in == null) {
                throw new IOException("the bundle holds no " + SHIM_RESOURCE + " (built without the shim?)");
            }
            return in.readAllBytes();
        }
    }

    /**
     * {@code {"cniVersion":"1.1.0","name":"ovn-kubernetes","plugins":[{"type":"ovn-k8s-cni-overlay"}]}}, the
     * plugin with {@code "socketPath"} when the server's socket is not the shim's default.
     */
    static byte[] confList(String socketPath, String defaultSocketPath) {
        ObjectNode root = CniRequestParser.JSON.createObjectNode();
        root.put("cniVersion", CniVersions.CURRENT);
        root.put("name", NETWORK);
        ObjectNode plugin = root.putArray("plugins").addObject();
        plugin.put("type", PLUGIN);
        if (!socketPath.equals(defaultSocketPath)) {
            plugin.put("socketPath", socketPath);
        }
        return (CniRequestParser.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the shim and the configuration list where they differ; logs what it changed. */
    static void install(byte[] shim, Path binDir, Path confDir, String socketPath, String defaultSocketPath)
            throws IOException {
        Path plugin = binDir.resolve(PLUGIN);
        if (writeIfChanged(plugin, shim, EXECUTABLE)) {
            LOG.info("CNI: installed the shim {} ({} bytes)", plugin, shim.length);
        }
        Path conf = confDir.resolve(CONF_LIST);
        if (writeIfChanged(conf, confList(socketPath, defaultSocketPath), READABLE)) {
            LOG.info("CNI: wrote the network configuration {} (server socket {})", conf, socketPath);
        }
    }

    /** @return whether the file was (re)written */
    static boolean writeIfChanged(Path target, byte[] content, Set<PosixFilePermission> mode) throws IOException {
        if (Files.isRegularFile(target) && Files.size(target) == content.length
                && Arrays.equals(Files.readAllBytes(target), content)
                && Files.getPosixFilePermissions(target).equals(mode)) {
            return false;
        }
        Files.createDirectories(target.getParent());
        Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.setPosixFilePermissions(temporary, mode);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        return true;
    }
}
