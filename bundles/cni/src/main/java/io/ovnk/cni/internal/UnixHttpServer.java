package io.ovnk.cni.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal HTTP/1.1 server on a unix socket, enough for the CNI shim: POST with a Content-Length body, one
 * request per connection, answered with {@code Connection: close}. Chunked, length-less and oversized requests,
 * other methods and malformed HTTP are answered with a 4xx and a CNI error body; a client that does not send its
 * request within the read timeout is cut off. Nothing a client sends stops the server.
 *
 * <p>The socket file is made 0600 right after bind; a missing directory is made 0700. A socket file left by a dead
 * process is replaced; a live server's socket or any other file at the path is not touched.
 */
final class UnixHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UnixHttpServer.class);
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int BACKLOG = 256;
    private static final int QUEUED_CONNECTIONS = 1024;
    /** Connections being read at once; beyond it new ones are refused (each costs what its client has sent). */
    private static final int MAX_OPEN_CONNECTIONS = 1024;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** How much a request may carry and how long its client may take to send it (and to take the answer). */
    record Limits(int maxRequestBytes, Duration ioTimeout) {
    }

    /** An answer: status and a JSON body. */
    record Response(int status, byte[] body) {
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Function<byte[], Response> handler;
    private final Supplier<Limits> limits;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService deadlines;
    private final Selector selector;
    /** The reader thread's read buffer for request bodies. */
    private final ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
    private final Thread acceptor;
    private volatile boolean closed;

    private UnixHttpServer(Path path, ServerSocketChannel server, Function<byte[], Response> handler,
            Supplier<Limits> limits, int workerCount) throws IOException {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.limits = limits;
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workerCount, workerCount, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED_CONNECTIONS), runnable -> {
                    Thread thread = new Thread(runnable, "ovnk-cni-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        workers.allowCoreThreadTimeOut(true);
        this.deadlines = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ovnk-cni-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        this.selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.acceptor = new Thread(this::selectLoop, "ovnk-cni-accept " + path);
        acceptor.setDaemon(true);
    }

    /**
     * Binds the socket and starts serving.
     *
     * @throws IOException naming the path when the socket cannot be bound (another file there, a live server)
     */
    static UnixHttpServer start(Path path, Function<byte[], Response> handler, Supplier<Limits> limits,
            int workers) throws IOException {
        ServerSocketChannel channel = bind(path);
        UnixHttpServer server;
        try {
            server = new UnixHttpServer(path, channel, handler, limits, workers);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(path.toAbsolutePath());
            throw e;
        }
        server.acceptor.start();
        return server;
    }

    Path path() {
        return path;
    }

    void setWorkers(int count) {
        if (count > workers.getMaximumPoolSize()) {
            workers.setMaximumPoolSize(count);
            workers.setCorePoolSize(count);
        } else {
            workers.setCorePoolSize(count);
            workers.setMaximumPoolSize(count);
        }
    }

    static ServerSocketChannel bind(Path path) throws IOException {
        Path socket = path.toAbsolutePath();
        makeDirectory(socket.getParent());
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocket(socket)) {
                throw new FileAlreadyExistsException(socket.toString(), null,
                        "exists and is not a socket; it is left alone, the CNI server does not start there");
            }
            if (answers(socket)) {
                throw new FileAlreadyExistsException(socket.toString(), null,
                        "another server is listening on it; the CNI server does not take it over");
            }
            Files.delete(socket);
            LOG.info("CNI server: removed the stale socket {} of a process that is gone", socket);
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(socket), BACKLOG);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(socket);
            throw e;
        }
        return channel;
    }

    /**
     * Makes the missing directories of {@code directory}, each 0700 whatever the umask. A socket directory that
     * exists already must be this process's user's own and closed to group and others: the socket's own mode is
     * set only after bind, and the directory is what keeps every other user out. Such a directory is refused, not
     * tightened: it may be shared (a socket configured straight into {@code /run}), and changing its mode would
     * lock others out of it.
     */
    private static void makeDirectory(Path directory) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path at = directory; at != null && !Files.exists(at); at = at.getParent()) {
            missing.push(at);
        }
        if (missing.isEmpty()) {
            requirePrivate(directory);
        }
        for (Path at : missing) {
            try {
                Files.createDirectory(at);
            } catch (FileAlreadyExistsException raced) {
                continue;
            }
            Files.setPosixFilePermissions(at, PosixFilePermissions.fromString("rwx------"));
        }
        if (!Files.isDirectory(directory)) {
            throw new IOException(directory + " is not a directory");
        }
    }

    private static void requirePrivate(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException(directory + " is not a directory");
        }
        int owner = (Integer) Files.getAttribute(directory, "unix:uid");
        int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(directory);
        boolean open = mode.stream().anyMatch(bit -> bit.name().startsWith("GROUP") || bit.name().startsWith("OTHERS"));
        if (owner != self) {
            throw new IOException(directory + " (the socket's directory) belongs to uid " + owner + ", not to this "
                    + "process's uid " + self + "; the CNI server does not start there: give the socket a directory "
                    + "of its own (socket.path), or 'chown " + self + " " + directory + "'");
        }
        if (open) {
            throw new IOException(directory + " (the socket's directory) is " + PosixFilePermissions.toString(mode)
                    + ", open to other users; the CNI server does not start there: 'chmod 700 " + directory
                    + "', or give the socket a directory of its own (socket.path), which the server makes 0700");
        }
    }

    static boolean isSocket(Path path) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer bits && (bits & S_IFMT) == S_IFSOCK;
    }

    private static boolean answers(Path socket) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return probe.isConnected();
        } catch (IOException refused) {
            return false;
        }
    }

    /**
     * The reader thread: accepts connections and reads every request without blocking, so that clients that send
     * slowly (or not at all) hold no worker; a worker gets a connection only once its request is complete (or
     * refused), to handle it and write the answer. A request not complete within the io timeout is cut off.
     */
    private void selectLoop() {
        List<Ready> ready = new ArrayList<>();
        try {
            while (!closed) {
                selector.select(nextWakeUpMillis());
                for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext();) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        acceptAll();
                    } else if (key.isReadable()) {
                        readFrom(key, ready);
                    }
                }
                cutOffExpired();
                handOff(ready);
            }
        } catch (ClosedSelectorException | ClosedChannelException e) {
            // closing
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.error("CNI server {}: the reader stopped: {}", path, e.toString(), e);
            }
        } finally {
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof Incoming incoming) {
                    closeQuietly(incoming.channel);
                }
            }
            ready.forEach(r -> closeQuietly(r.incoming.channel));
        }
    }

    /** A request read to its end (or refused) and waiting for a worker. */
    private record Ready(Incoming incoming, byte[] body, HttpError refusal) {
    }

    private void acceptAll() throws IOException {
        SocketChannel client;
        while ((client = server.accept()) != null) {
            if (selector.keys().size() > MAX_OPEN_CONNECTIONS) {
                LOG.warn("CNI server {}: {} connections are open already; connection refused", path,
                        MAX_OPEN_CONNECTIONS);
                closeQuietly(client);
                continue;
            }
            client.configureBlocking(false);
            Limits now = limits.get();
            client.register(selector, SelectionKey.OP_READ, new Incoming(client, now));
        }
    }

    private void readFrom(SelectionKey key, List<Ready> ready) {
        Incoming incoming = (Incoming) key.attachment();
        try {
            byte[] body = incoming.read(scratch);
            if (body != null) {
                key.cancel();
                ready.add(new Ready(incoming, body, null));
            }
        } catch (HttpError e) {
            key.cancel();
            ready.add(new Ready(incoming, null, e));
        } catch (IOException e) {
            LOG.debug("CNI server {}: connection ended: {}", path, e.toString());
            key.cancel();
            closeQuietly(incoming.channel);
        }
    }

    /** Closes the connections whose request is not complete by their deadline. */
    private void cutOffExpired() {
        long now = System.nanoTime();
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Incoming incoming && now - incoming.deadline >= 0) {
                LOG.debug("CNI server {}: a client did not send its request within {} ms; cut off", path,
                        incoming.limits.ioTimeout().toMillis());
                key.cancel();
                closeQuietly(incoming.channel);
            }
        }
    }

    private long nextWakeUpMillis() {
        long now = System.nanoTime();
        long next = TimeUnit.SECONDS.toNanos(1);
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Incoming incoming) {
                next = Math.min(next, incoming.deadline - now);
            }
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(next) + 1);
    }

    /** Gives complete requests to the workers, their channels blocking again (once their keys are gone). */
    private void handOff(List<Ready> ready) throws IOException {
        if (ready.isEmpty()) {
            return;
        }
        selector.selectNow(); // deregisters the cancelled keys; what it selects is handled in the next round
        for (Ready request : ready) {
            try {
                request.incoming.channel.configureBlocking(true);
                workers.execute(() -> respond(request));
            } catch (RejectedExecutionException e) {
                LOG.warn("CNI server {}: {} requests are queued already; connection refused", path,
                        workers.getQueue().size());
                closeQuietly(request.incoming.channel);
            } catch (IOException e) {
                closeQuietly(request.incoming.channel);
            }
        }
        ready.clear();
    }

    /** An HTTP answer to a request that never reached the handler. */
    private static final class HttpError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** On a worker: handles a complete request (or answers its refusal) and writes the answer. */
    private void respond(Ready request) {
        SocketChannel client = request.incoming.channel;
        ScheduledFuture<?> deadline = null;
        try {
            Response response;
            if (request.refusal != null) {
                HttpError e = request.refusal;
                LOG.debug("CNI server {}: HTTP {}: {}", path, e.status, e.getMessage());
                response = new Response(e.status, CniResults.bytes(CniResults.error(CniVersions.CURRENT,
                        new CniException(CniException.DECODING_FAILURE, "HTTP: " + e.getMessage()))));
            } else {
                response = handle(request.body);
            }
            deadline = deadlines.schedule(() -> closeQuietly(client), request.incoming.limits.ioTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            write(client, response);
        } catch (IOException e) {
            LOG.debug("CNI server {}: connection ended: {}", path, e.toString());
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
            closeQuietly(client);
        }
    }

    private Response handle(byte[] body) {
        try {
            return handler.apply(body);
        } catch (RuntimeException e) {
            LOG.error("CNI server {}: the request handler failed", path, e);
            return new Response(500, CniResults.bytes(CniResults.error(CniVersions.CURRENT,
                    new CniException(CniException.IO_FAILURE, "internal error: " + e))));
        }
    }

    /**
     * One connection's request as it arrives, read without blocking on the reader thread. The body's buffer grows
     * with what actually arrives, so a client announcing a large body and sending little costs little.
     */
    private static final class Incoming {
        final SocketChannel channel;
        final Limits limits;
        final long deadline;
        private ByteBuffer head = ByteBuffer.allocate(1024);
        private long length = -1;
        private byte[] body;
        private int have;

        Incoming(SocketChannel channel, Limits limits) {
            this.channel = channel;
            this.limits = limits;
            this.deadline = System.nanoTime() + limits.ioTimeout().toNanos();
        }

        /** Reads what is there: the whole body once complete, null while more is to come. */
        byte[] read(ByteBuffer scratch) throws IOException, HttpError {
            if (length < 0) {
                return readHead();
            }
            scratch.clear();
            scratch.limit((int) Math.min(scratch.capacity(), length - have));
            int n = channel.read(scratch);
            if (n < 0) {
                throw new IOException("the client closed the connection after " + have + " of " + length
                        + " body bytes");
            }
            scratch.flip();
            append(scratch.array(), 0, scratch.remaining());
            return have == length ? body : null;
        }

        private byte[] readHead() throws IOException, HttpError {
            if (!head.hasRemaining()) {
                if (head.capacity() >= MAX_HEADER_BYTES) {
                    throw new HttpError(431, "request headers exceed " + MAX_HEADER_BYTES + " bytes");
                }
                head = ByteBuffer.allocate(Math.min(MAX_HEADER_BYTES, head.capacity() * 4)).put(head.flip());
            }
            if (channel.read(head) < 0) {
                throw new IOException("the client closed the connection before the end of its headers");
            }
            int end = headerEnd(head);
            if (end < 0) {
                if (!head.hasRemaining() && head.capacity() >= MAX_HEADER_BYTES) {
                    throw new HttpError(431, "request headers exceed " + MAX_HEADER_BYTES + " bytes");
                }
                return null;
            }
            boolean expectContinue = parseHead(head, end, limits.maxRequestBytes());
            length = announcedLength;
            body = new byte[(int) Math.min(length, 64 * 1024)];
            append(head.array(), end + 4, (int) Math.min(head.position() - end - 4, length));
            if (have == length) {
                return body;
            }
            if (expectContinue) {
                ByteBuffer interim = ByteBuffer.wrap("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                channel.write(interim);
                if (interim.hasRemaining()) {
                    throw new IOException("the client does not take the 100 Continue answer");
                }
            }
            return null;
        }

        private long announcedLength;

        private void append(byte[] bytes, int offset, int count) {
            if (have + count > body.length) {
                body = java.util.Arrays.copyOf(body, (int) Math.min(length, Math.max(have + count,
                        (long) body.length * 2)));
            }
            System.arraycopy(bytes, offset, body, have, count);
            have += count;
        }

        /** Checks the request line and headers; sets the announced length; true when the client expects 100. */
        private boolean parseHead(ByteBuffer buffer, int end, int maxBody) throws HttpError {
            String[] lines = new String(buffer.array(), 0, end, StandardCharsets.ISO_8859_1).split("\r\n", -1);
            String[] requestLine = lines[0].split(" ", -1);
            if (requestLine.length != 3 || requestLine[0].isEmpty() || !requestLine[2].startsWith("HTTP/1.")) {
                throw new HttpError(400, "malformed request line \"" + printable(lines[0]) + "\"");
            }
            long announced = -1;
            boolean expectContinue = false;
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                int colon = line.indexOf(':');
                if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                    throw new HttpError(400, "malformed header line \"" + printable(line) + "\"");
                }
                String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).strip();
                switch (name) {
                    case "transfer-encoding" -> throw new HttpError(411, "Transfer-Encoding \"" + printable(value)
                            + "\" is not supported; send the body with a Content-Length");
                    case "content-length" -> {
                        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                            throw new HttpError(400, "Content-Length \"" + printable(value) + "\" is not a number");
                        }
                        long parsed = Long.parseLong(value);
                        if (announced >= 0 && parsed != announced) {
                            throw new HttpError(400, "Content-Length is given twice, differently");
                        }
                        announced = parsed;
                    }
                    case "expect" -> expectContinue = value.equalsIgnoreCase("100-continue");
                    default -> {
                        // other headers do not matter here
                    }
                }
            }
            if (!requestLine[0].equals("POST")) {
                throw new HttpError(405, "method " + printable(requestLine[0]) + " is not allowed, only POST");
            }
            if (!requestLine[1].equals("/")) {
                throw new HttpError(404, "no resource " + printable(requestLine[1]) + ", only /");
            }
            if (announced < 0) {
                throw new HttpError(411, "Content-Length is missing");
            }
            if (announced > maxBody) {
                throw new HttpError(413, "the request body of " + announced + " bytes exceeds " + maxBody
                        + " bytes (max.request.bytes)");
            }
            announcedLength = announced;
            return expectContinue;
        }
    }

    private static int headerEnd(ByteBuffer buffer) {
        byte[] bytes = buffer.array();
        for (int i = 0; i + 3 < buffer.position(); i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String printable(String text) {
        String cut = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        StringBuilder out = new StringBuilder(cut.length());
        cut.chars().forEach(c -> out.append(c < 0x20 || c > 0x7e ? '?' : (char) c));
        return out.toString();
    }

    private static void write(SocketChannel client, Response response) throws IOException {
        String head = "HTTP/1.1 " + response.status() + " " + reason(response.status()) + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + response.body().length + "\r\n"
                + "Connection: close\r\n\r\n";
        writeFully(client, ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)), ByteBuffer.wrap(response.body()));
    }

    private static void writeFully(SocketChannel client, ByteBuffer... buffers) throws IOException {
        for (ByteBuffer buffer : buffers) {
            while (buffer.hasRemaining()) {
                client.write(buffer);
            }
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            default -> "Internal Server Error";
        };
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }

    /**
     * Stops accepting, removes the socket file, lets running requests finish for a moment and then interrupts
     * them (a waiting ADD answers "try again later").
     */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("CNI server {}: closing: {}", path, e.toString());
        }
        try {
            Files.deleteIfExists(path.toAbsolutePath());
        } catch (IOException e) {
            LOG.warn("CNI server: cannot remove the socket {}: {}", path, e.toString());
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                workers.shutdownNow();
                workers.awaitTermination(2, TimeUnit.SECONDS);
            }
            acceptor.join(2_000);
            selector.close();
        } catch (IOException e) {
            LOG.debug("CNI server {}: closing the selector: {}", path, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        deadlines.shutdownNow();
    }
}
