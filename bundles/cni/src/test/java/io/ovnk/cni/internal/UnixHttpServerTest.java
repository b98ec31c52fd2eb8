package io.ovnk.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixHttpServerTest {

    static final java.nio.file.attribute.FileAttribute<?> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    @TempDir
    Path dir;
    final List<AutoCloseable> closeables = new ArrayList<>();
    final AtomicReference<UnixHttpServer.Limits> limits = new AtomicReference<>(
            new UnixHttpServer.Limits(1024 * 1024, Duration.ofSeconds(10)));

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    /** A server that answers 200 with "echo:" and the body. */
    private UnixHttpServer start(Path socket) throws IOException {
        UnixHttpServer server = UnixHttpServer.start(socket, body -> new UnixHttpServer.Response(200,
                ("echo:" + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)), limits::get, 4);
        closeables.add(server);
        return server;
    }

    private Path socket() {
        return dir.resolve("run/cni/server.sock");
    }

    /** Sends raw bytes, half-closes, and reads the whole answer. */
    static String exchange(Path socket, String raw) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.wrap(raw.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.shutdownOutput();
            return readAll(channel);
        }
    }

    static String readAll(SocketChannel channel) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(8192);
        try {
            while (channel.read(in) >= 0) {
                answer.write(in.array(), 0, in.position());
                in.clear();
            }
        } catch (IOException reset) {
            // the server closed with input unread: what it sent before is what counts
        }
        return answer.toString(StandardCharsets.UTF_8);
    }

    static String post(String body) {
        return "POST / HTTP/1.1\r\nHost: dummy\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n" + body;
    }

    @Test
    void postIsAnsweredWithTheHandlersBodyAndConnectionClose() throws Exception {
        start(socket());
        String answer = exchange(socket(), post("{\"a\":1}"));
        assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
        assertTrue(answer.contains("Content-Length: 12\r\n"), answer);
        assertTrue(answer.contains("Connection: close\r\n"), answer);
        assertTrue(answer.endsWith("\r\n\r\necho:{\"a\":1}"), answer);
    }

    @Test
    void socketIs0600InADirectoryMade0700() throws Exception {
        start(socket());
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(socket()));
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(socket().getParent()));
        assertEquals(PosixFilePermissions.fromString("rwx------"),
                Files.getPosixFilePermissions(socket().getParent().getParent()));
        assertTrue(UnixHttpServer.isSocket(socket()));
    }

    @Test
    void closeRemovesTheSocketFile() throws Exception {
        UnixHttpServer server = start(socket());
        server.close();
        assertFalse(Files.exists(socket()));
    }

    @Test
    void staleSocketOfADeadProcessIsReplaced() throws Exception {
        Files.createDirectories(socket().getParent(), PRIVATE); // as the server made it
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket()));
        } // closed without removing its file, as a killed process leaves it
        assertTrue(Files.exists(socket()));
        start(socket());
        assertTrue(exchange(socket(), post("x")).endsWith("echo:x"));
    }

    @Test
    void liveServersSocketIsNotTakenOver() throws Exception {
        start(socket());
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> start(socket()));
        assertTrue(e.getMessage().contains("another server is listening on it"), e.getMessage());
        assertTrue(exchange(socket(), post("x")).endsWith("echo:x"), "the first server still answers");
    }

    @Test
    void regularFileAtTheSocketPathIsRefusedAndLeftAlone() throws Exception {
        Files.createDirectories(socket().getParent(), PRIVATE); // as the server made it
        Files.writeString(socket(), "precious");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> start(socket()));
        assertTrue(e.getMessage().contains("exists and is not a socket"), e.getMessage());
        assertEquals("precious", Files.readString(socket()));
    }

    @Test
    void oversizedBodyIsAnswered413AndTheNextRequestIsServed() throws Exception {
        limits.set(new UnixHttpServer.Limits(1024, Duration.ofSeconds(10)));
        start(socket());
        String answer = exchange(socket(), post("x".repeat(5000)));
        assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
        assertTrue(answer.contains("\"code\":6") && answer.contains("exceeds 1024 bytes (max.request.bytes)"), answer);
        assertTrue(exchange(socket(), post("ok")).endsWith("echo:ok"));
    }

    @Test
    void chunkedOrLengthlessBodyIsAnswered411() throws Exception {
        start(socket());
        String chunked = exchange(socket(), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n");
        assertTrue(chunked.startsWith("HTTP/1.1 411 "), chunked);
        assertTrue(chunked.contains("Transfer-Encoding"), chunked);
        String lengthless = exchange(socket(), "POST / HTTP/1.1\r\nHost: dummy\r\n\r\n{}");
        assertTrue(lengthless.startsWith("HTTP/1.1 411 "), lengthless);
        assertTrue(lengthless.contains("Content-Length is missing"), lengthless);
    }

    @Test
    void otherMethodsAndPathsAreRefused() throws Exception {
        start(socket());
        assertTrue(exchange(socket(), "GET / HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 405 "));
        assertTrue(exchange(socket(), "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n").startsWith("HTTP/1.1 404 "));
    }

    @Test
    void malformedHttpIsAnswered400AndTheServerGoesOn() throws Exception {
        start(socket());
        for (String garbage : List.of("hello\r\n\r\n", "POST /\r\n\r\n", "POST / HTTP/1.1\r\nno colon\r\n\r\n",
                "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: 1\r\n"
                        + "Content-Length: 2\r\n\r\nab", "\u0000\u0001\u0002\r\n\r\n")) {
            String answer = exchange(socket(), garbage);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), garbage + " -> " + answer);
            assertTrue(answer.contains("\"msg\":\"HTTP: "), answer);
        }
        String huge = exchange(socket(), "POST / HTTP/1.1\r\nX: " + "y".repeat(20_000) + "\r\n\r\n");
        assertTrue(huge.startsWith("HTTP/1.1 431 "), huge);
        String truncated = exchange(socket(), "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
        assertEquals("", truncated, "a body cut short is not handled");
        assertTrue(exchange(socket(), post("ok")).endsWith("echo:ok"));
    }

    @Test
    void slowClientIsCutOffAtTheDeadlineWithoutHarmingTheNextRequest() throws Exception {
        limits.set(new UnixHttpServer.Limits(1024, Duration.ofMillis(300)));
        start(socket());
        try (SocketChannel slow = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
            slow.write(ByteBuffer.wrap("POST / HTTP/1.1\r\nContent-Le".getBytes(StandardCharsets.US_ASCII)));
            long start = System.nanoTime();
            // blocks until the server closes the connection at its deadline
            assertEquals("", readAll(slow));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(250).toNanos(), "cut at the deadline, not before");
        }
        try (SocketChannel slowBody = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
            slowBody.write(ByteBuffer.wrap("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nab".getBytes(
                    StandardCharsets.US_ASCII)));
            assertEquals("", readAll(slowBody));
        }
        assertTrue(exchange(socket(), post("ok")).endsWith("echo:ok"));
    }

    @Test
    void moreSlowClientsThanWorkersDoNotStopTheServerAnsweringOthers() throws Exception {
        limits.set(new UnixHttpServer.Limits(1024, Duration.ofSeconds(60)));
        start(socket()); // 4 workers
        List<SocketChannel> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket()));
                slow.add(channel);
                channel.write(ByteBuffer.wrap("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nsl".getBytes(
                        StandardCharsets.US_ASCII)));
            }
            // answered long before the 60 s the slow ones may take: they hold no worker while they dawdle
            assertTrue(exchange(socket(), post("ok")).endsWith("echo:ok"));
            for (SocketChannel channel : slow) {
                channel.write(ByteBuffer.wrap("ow".getBytes(StandardCharsets.US_ASCII)));
                assertTrue(readAll(channel).endsWith("echo:slow"), "the slow client is answered once it is done");
            }
        } finally {
            for (SocketChannel channel : slow) {
                channel.close();
            }
        }
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBody() throws Exception {
        start(socket());
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
            channel.write(ByteBuffer.wrap("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer interim = ByteBuffer.allocate(25);
            while (interim.hasRemaining() && channel.read(interim) >= 0) {
                // until the interim answer is complete
            }
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(interim.array(), StandardCharsets.US_ASCII));
            channel.write(ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)));
            assertTrue(readAll(channel).endsWith("echo:ok"));
        }
    }

    @Test
    void failingHandlerIsAnswered500AndTheServerGoesOn() throws Exception {
        UnixHttpServer server = UnixHttpServer.start(socket(), body -> {
            if (body.length == 0) {
                throw new IllegalStateException("boom");
            }
            return new UnixHttpServer.Response(200, body);
        }, limits::get, 2);
        closeables.add(server);
        String answer = exchange(socket(), post(""));
        assertTrue(answer.startsWith("HTTP/1.1 500 "), answer);
        assertTrue(answer.contains("internal error: java.lang.IllegalStateException: boom"), answer);
        assertTrue(exchange(socket(), post("ok")).endsWith("ok"));
    }
}
