package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.ConnectionLostException;
import io.ovnk.ovsdb.DeadlineExceededException;
import io.ovnk.ovsdb.ProtocolException;
import io.ovnk.ovsdb.RpcErrorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One JSON-RPC 1.0 session over a transport, as OVSDB speaks it: many requests in flight, each with a monotonic
 * id and its own deadline; the server's echo requests answered by the reader thread at once; notifications
 * (update, update2, update3, locked, stolen) handed to the owner in arrival order. When the stream ends, every
 * request still waiting fails with {@link ConnectionLostException} and the owner is told once.
 */
final class JsonRpcConnection implements AutoCloseable {

    /** What the owner of a connection hears from it. Called on the reader thread: must not block. */
    interface Listener {
        void notification(String method, JsonNode params);

        /** The server probed (echo) and was answered. */
        void probed();

        void closed(Throwable cause);
    }

    private static final Logger LOG = LoggerFactory.getLogger(JsonRpcConnection.class);
    private static final ObjectWriter WRITER = JsonMapper.builder().build().writer();

    private final Transport transport;
    private final Listener listener;
    private final ScheduledExecutorService scheduler;
    private final FrameDecoder decoder;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread reader;
    private volatile long lastReceived = System.nanoTime();
    private volatile long lastSent = System.nanoTime();

    /** A request in flight; its deadline is set right after it is registered. */
    private static final class Pending {
        final String method;
        final CompletableFuture<JsonNode> future;
        volatile ScheduledFuture<?> deadline;

        Pending(String method, CompletableFuture<JsonNode> future) {
            this.method = method;
            this.future = future;
        }

        String method() {
            return method;
        }

        CompletableFuture<JsonNode> future() {
            return future;
        }

        void cancelDeadline() {
            ScheduledFuture<?> scheduled = deadline;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }

    JsonRpcConnection(Transport transport, long maxFrameBytes, Listener listener, ScheduledExecutorService scheduler,
            String name) {
        this.transport = transport;
        this.listener = listener;
        this.scheduler = scheduler;
        this.decoder = new FrameDecoder(maxFrameBytes, 64, this::dispatch);
        this.reader = new Thread(this::read, name);
        this.reader.setDaemon(true);
    }

    void start() {
        reader.start();
    }

    String remote() {
        return transport.description();
    }

    /**
     * Sends a request; the future completes with its result, or fails with {@link RpcErrorException},
     * {@link DeadlineExceededException} or {@link ConnectionLostException}.
     */
    CompletableFuture<JsonNode> call(String method, JsonNode params, Duration timeout) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        Pending request = new Pending(method, future);
        pending.put(id, request);
        try {
            request.deadline = scheduler.schedule(() -> {
                Pending expired = pending.remove(id);
                if (expired != null) {
                    expired.future().completeExceptionally(new DeadlineExceededException(method + " to " + remote()
                            + ": no answer within " + timeout.toMillis() + " ms"));
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException clientClosed) {
            // the client is closing (its scheduler is shut down): the request is never sent
            pending.remove(id);
            future.completeExceptionally(new ConnectionLostException(method + " to " + remote()
                    + ": not sent, the client is closed", clientClosed));
            return future;
        }
        // a caller that cancels the future cancels the request on the server too (RFC 7047 4.1.4)
        future.whenComplete((result, failure) -> {
            if (future.isCancelled() && pending.remove(id) != null) {
                request.cancelDeadline();
                try {
                    notify("cancel", Values.NODES.arrayNode(1).add(id));
                } catch (IOException e) {
                    close(e);
                }
            }
        });
        ObjectNode message = Values.NODES.objectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", params);
        try {
            send(message);
        } catch (IOException e) {
            Pending failed = pending.remove(id);
            if (failed != null) {
                failed.cancelDeadline();
                future.completeExceptionally(new NotSentException(method + " to " + remote()
                        + ": could not be sent: " + e.getMessage(), e));
            }
            close(e);
        }
        return future;
    }

    /** The id the next call will use (tests and cancel). */
    long lastId() {
        return ids.get();
    }

    /** Sends a notification (no reply expected), e.g. {@code cancel}. */
    void notify(String method, JsonNode params) throws IOException {
        ObjectNode message = Values.NODES.objectNode();
        message.putNull("id");
        message.put("method", method);
        message.set("params", params);
        send(message);
    }

    private void send(JsonNode message) throws IOException {
        byte[] bytes = WRITER.writeValueAsBytes(message);
        if (closed.get()) {
            throw new IOException("connection to " + remote() + " is closed");
        }
        OutputStream out = transport.out();
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
        lastSent = System.nanoTime();
    }

    /** Nanos since anything arrived (bytes count, not only whole messages: a big dump is activity). */
    long idleNanos() {
        return System.nanoTime() - lastReceived;
    }

    long sinceSentNanos() {
        return System.nanoTime() - lastSent;
    }

    /** True while a message is arriving but not complete. */
    boolean receivingLargeMessage() {
        return decoder.inFrame() && decoder.frameBytes() > 0;
    }

    boolean isOpen() {
        return !closed.get();
    }

    private void read() {
        byte[] buffer = new byte[64 * 1024];
        Throwable cause = null;
        try {
            InputStream in = transport.in();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                lastReceived = System.nanoTime();
                if (n > 0) {
                    decoder.feed(buffer, 0, n);
                }
            }
            cause = new IOException(remote() + " closed the connection");
        } catch (IOException | ProtocolException e) {
            cause = e;
        } catch (RuntimeException e) {
            LOG.error("{}: unexpected failure reading from the server; resetting the connection", remote(), e);
            cause = e;
        }
        close(cause);
    }

    private void dispatch(JsonNode message) {
        JsonNode id = message.get("id");
        JsonNode method = message.get("method");
        if (method != null && method.isString()) {
            if (id != null && !id.isNull()) {
                answerRequest(id, method.stringValue(), message.get("params"));
            } else {
                listener.notification(method.stringValue(), message.path("params"));
            }
            return;
        }
        if (id == null || !id.canConvertToLong()) {
            throw new ProtocolException("a reply with an id we never sent: " + Values.abbreviate(message));
        }
        Pending request = pending.remove(id.longValue());
        if (request == null) {
            LOG.debug("{}: late reply to request {} (its deadline has passed)", remote(), id);
            return;
        }
        request.cancelDeadline();
        JsonNode error = message.get("error");
        if (error != null && !error.isNull()) {
            request.future().completeExceptionally(new RpcErrorException(request.method(), error.toString()));
        } else {
            request.future().complete(message.get("result"));
        }
    }

    /** The server asks: echo is answered at once (a probe must never wait behind our own work). */
    private void answerRequest(JsonNode id, String method, JsonNode params) {
        ObjectNode reply = Values.NODES.objectNode();
        reply.set("id", id);
        boolean echo = method.equals("echo");
        if (echo) {
            reply.set("result", params == null ? Values.NODES.arrayNode() : params);
            reply.putNull("error");
        } else {
            reply.putNull("result");
            reply.put("error", "unknown method " + method);
        }
        try {
            send(reply);
            if (echo) {
                listener.probed();
            }
        } catch (IOException e) {
            close(e);
        }
    }

    /** Closes and fails what is pending; the listener hears about it once. */
    void close(Throwable cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            transport.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the transport failed", remote(), e);
        }
        List<Pending> left = new ArrayList<>(pending.values());
        pending.clear();
        String reason = cause == null ? "closed" : cause.getMessage();
        for (Pending request : left) {
            request.cancelDeadline();
            request.future().completeExceptionally(new ConnectionLostException(request.method() + " to " + remote()
                    + ": the connection dropped before the answer (" + reason + "); it may have been applied", cause));
        }
        listener.closed(cause);
    }

    @Override
    public void close() {
        close(null);
    }

    static ArrayNode params(Object... values) {
        ArrayNode params = Values.NODES.arrayNode(values.length);
        for (Object value : values) {
            if (value instanceof JsonNode node) {
                params.add(node);
            } else if (value instanceof String text) {
                params.add(text);
            } else if (value instanceof Boolean bool) {
                params.add(bool);
            } else if (value == null) {
                params.addNull();
            } else {
                throw new IllegalArgumentException("not a JSON parameter: " + value);
            }
        }
        return params;
    }
}
