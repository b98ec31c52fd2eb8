package io.ovnk.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Only the server's own user (root on a node) reaches the CNI socket: kubelet runs the shim as root, and anything
 * else that could talk to the socket could plumb or delete pod interfaces. Checked by connecting as the unprivileged
 * user nobody (uid 65534), with the same JVM, through {@code setpriv}.
 */
class SocketAccessTest {

    private static final int NOBODY = 65534;
    /** A client that prints the outcome of connecting to the socket it is given. */
    private static final String CLIENT = """
            import java.net.UnixDomainSocketAddress;
            import java.nio.channels.SocketChannel;
            public class Connect {
                public static void main(String[] args) {
                    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
                        System.out.println("connected");
                    } catch (Exception e) {
                        System.out.println("refused: " + e.getMessage());
                    }
                }
            }
            """;

    /** Traversable by every user, so that what keeps nobody out is the server's directory and socket alone. */
    private Path base;
    private final List<UnixHttpServer> servers = new ArrayList<>();

    @BeforeEach
    void makeBase() throws IOException {
        base = Files.createTempDirectory("ovnk-cni-access");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void removeBase() throws IOException {
        servers.forEach(UnixHttpServer::close);
        try (var walk = Files.walk(base)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private UnixHttpServer start(Path socket) throws IOException {
        UnixHttpServer server = UnixHttpServer.start(socket, body -> new UnixHttpServer.Response(200,
                "{}".getBytes(StandardCharsets.UTF_8)), () -> new UnixHttpServer.Limits(1 << 20,
                        java.time.Duration.ofSeconds(10)), 2);
        servers.add(server);
        return server;
    }

    private static void requireRoot() throws IOException {
        boolean root = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(root, "CI=true: this test must run as root (it switches to the user nobody)");
        }
        Assumptions.assumeTrue(root, "needs root to run a client as the user nobody (setpriv); CI runs it");
    }

    @Test
    void anUnprivilegedUserCannotConnectWhileRootCan() throws Exception {
        requireRoot();
        Path socket = base.resolve("run/cni.sock");
        start(socket);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

        assertTrue(UnixHttpServerTest.exchange(socket, UnixHttpServerTest.post("{}")).startsWith("HTTP/1.1 200 OK"));
        assertEquals("refused: Permission denied", connectAsNobody(socket));

        // the control: with the modes opened, the same client as the same user gets in, so the refusal above came
        // from the directory and socket modes, not from the test's set-up
        Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals("connected", connectAsNobody(socket));
    }

    @Test
    void anExistingDirectoryOpenToOthersIsRefusedNamingTheFix() throws Exception {
        Path directory = Files.createDirectory(base.resolve("shared"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException refused = assertThrows(IOException.class, () -> start(directory.resolve("cni.sock")));
        assertEquals(directory + " (the socket's directory) is rwxr-xr-x, open to other users; the CNI server does "
                + "not start there: 'chmod 700 " + directory + "', or give the socket a directory of its own "
                + "(socket.path), which the server makes 0700", refused.getMessage());
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)),
                "left as it was");
        assertTrue(Files.notExists(directory.resolve("cni.sock")));

        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        start(directory.resolve("cni.sock"));
        assertTrue(UnixHttpServer.isSocket(directory.resolve("cni.sock")));
    }

    @Test
    void anExistingDirectoryOfAnotherUserIsRefused() throws Exception {
        requireRoot();
        Path directory = Files.createDirectory(base.resolve("theirs"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(directory, "unix:uid", NOBODY);
        IOException refused = assertThrows(IOException.class, () -> start(directory.resolve("cni.sock")));
        assertTrue(refused.getMessage().startsWith(directory + " (the socket's directory) belongs to uid 65534, not to "
                + "this process's uid 0; the CNI server does not start there"), refused.getMessage());
        assertTrue(Files.notExists(directory.resolve("cni.sock")));
    }

    /** Runs {@link #CLIENT} in a JVM as the user nobody and returns what it printed. */
    private String connectAsNobody(Path socket) throws Exception {
        Path source = base.resolve("Connect.java");
        if (Files.notExists(source)) {
            Files.writeString(source, CLIENT);
            Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process process = new ProcessBuilder("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                java, "-XX:-UsePerfData", "-Xshare:auto", source.toString(), socket.toString())
                .directory(base.toFile()).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the client as nobody did not finish within 60 s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
