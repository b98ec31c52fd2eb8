package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.TableMonitor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * A server without monitor_cond_since (an older ovsdb-server), or without monitor_cond as well: the client falls
 * back to monitor_cond (update2) and to monitor (update), and its cache follows either.
 */
class MonitorFallbackTest {

    static final String SCHEMA = "{\"name\":\"Test\",\"version\":\"1.0.0\",\"tables\":{\"T\":{\"columns\":{\"name\":{\"type\":\"string\"}}}}}";
    static final String FIRST = "11111111-1111-1111-1111-111111111111";
    static final String SECOND = "22222222-2222-2222-2222-222222222222";

    @ParameterizedTest
    @ValueSource(ints = { 2, 1 })
    void anOlderServerIsMonitoredWithWhatItOffers(int offered) throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> serve(socket, offered), "old-server");
            server.setDaemon(true);
            server.start();
            try (Client client = new Client(OvsdbClientConfig.of("Test", "tcp:127.0.0.1:" + socket.getLocalPort())
                    .withProbeInterval(Duration.ZERO))) {
                client.monitor(TableMonitor.of("T")).get(10, TimeUnit.SECONDS);
                client.cache().await("T", row -> "y".equals(row.string("name")), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
                Set<String> names = new java.util.HashSet<>();
                client.cache().table("T").rows().forEach(row -> names.add(row.string("name")));
                assertEquals(Set.of("x", "y"), names);
                assertEquals(1, client.fullLoads());
            }
        }
    }

    /** Answers as a server offering monitor_cond (offered = 2) or only monitor (offered = 1). */
    private static void serve(ServerSocket socket, int offered) {
        try (Socket connection = socket.accept()) {
            OutputStream out = connection.getOutputStream();
            InputStream in = connection.getInputStream();
            FrameDecoder decoder = new FrameDecoder(1 << 20, 64, request -> answer(request, offered, out));
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0;) {
                decoder.feed(buffer, 0, n);
            }
        } catch (IOException e) {
            // the client closed
        }
    }

    private static void answer(JsonNode request, int offered, OutputStream out) {
        String method = request.path("method").asString("");
        String id = request.path("id").toString();
        String reply = switch (method) {
            case "get_schema" -> "{\"id\":" + id + ",\"result\":" + SCHEMA + ",\"error\":null}";
            case "monitor_cond" -> offered >= 2
                    ? "{\"id\":" + id + ",\"result\":{\"T\":{\"" + FIRST + "\":{\"initial\":{\"name\":\"x\"}}}},\"error\":null}"
                            + "{\"id\":null,\"method\":\"update2\",\"params\":[" + request.path("params").get(1)
                            + ",{\"T\":{\"" + SECOND + "\":{\"insert\":{\"name\":\"y\"}}}}]}"
                    : unknown(id);
            case "monitor" -> "{\"id\":" + id + ",\"result\":{\"T\":{\"" + FIRST + "\":{\"new\":{\"name\":\"x\"}}}},\"error\":null}"
                    + "{\"id\":null,\"method\":\"update\",\"params\":[" + request.path("params").get(1)
                    + ",{\"T\":{\"" + SECOND + "\":{\"new\":{\"name\":\"y\"}}}}]}";
            default -> unknown(id);
        };
        try {
            out.write(reply.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String unknown(String id) {
        return "{\"id\":" + id + ",\"result\":null,\"error\":{\"error\":\"unknown method\"}}";
    }
}
