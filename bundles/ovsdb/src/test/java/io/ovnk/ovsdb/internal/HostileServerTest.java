package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovsdb.NotConnectedException;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClientConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A server that violates the protocol: whatever it sends, the client resets the connection with a typed error,
 * keeps retrying, no thread dies, and requests fail typed, naming what went wrong.
 */
class HostileServerTest {

    @Test
    void garbageOversizedDeepAndTruncatedRepliesEachResetTheConnection() throws Exception {
        byte[] deep = ("{\"id\":1,\"result\":" + "[".repeat(500) + "]".repeat(500) + "}").getBytes(StandardCharsets.UTF_8);
        byte[] oversized = ("{\"id\":1,\"result\":\"" + "x".repeat(64 * 1024)).getBytes(StandardCharsets.UTF_8);
        byte[] notUtf8 = { '{', '"', 'i', 'd', '"', ':', '1', ',', '"', 'r', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}' };
        byte[] bareArray = "[1,2,3]".getBytes(StandardCharsets.UTF_8);
        byte[] wrongShape = "{\"id\":1,\"result\":{\"name\":42}}".getBytes(StandardCharsets.UTF_8);
        for (byte[] reply : List.of(deep, oversized, notUtf8, bareArray, wrongShape)) {
            int threadsBefore = Thread.activeCount();
            try (HostileServer server = new HostileServer(reply);
                    Client client = new Client(OvsdbClientConfig.of("OVN_Northbound", "tcp:127.0.0.1:" + server.port())
                            .withMaxFrameBytes(32 * 1024).withMaxBackoff(Duration.ofMillis(50)))) {
                NotConnectedException e = ClientTest.failure(client.transact(List.of(Operation.comment("x")),
                        Duration.ofSeconds(1)), NotConnectedException.class);
                assertTrue(e.getMessage().contains("last attempt: tcp:127.0.0.1:" + server.port()), e.getMessage());
                assertTrue(server.connections.get() >= 2, "the client reset and tried again: " + server.connections.get());
            }
            assertTrue(Thread.activeCount() <= threadsBefore + 2, "threads are not left behind");
        }
    }

    /** Accepts connections and answers the first request (get_schema) with the given bytes, then hangs up. */
    static final class HostileServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        final Thread acceptor;

        HostileServer(byte[] reply) throws IOException {
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket connection = socket.accept()) {
                        connections.incrementAndGet();
                        connection.getInputStream().read(new byte[4096]);
                        OutputStream out = connection.getOutputStream();
                        out.write(reply);
                        out.flush();
                        connection.shutdownOutput();
                        connection.getInputStream().read(new byte[4096]); // until the client gives up on us
                    } catch (IOException e) {
                        // closed
                    }
                }
            }, "hostile-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(5000);
        }
    }
}
