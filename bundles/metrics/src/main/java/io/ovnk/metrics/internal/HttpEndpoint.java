package io.ovnk.metrics.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ovnk.metrics.MetricFamily;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDK's HTTP server on one address, serving {@code /metrics}, {@code /healthz} and {@code /readyz} (GET or
 * HEAD). It owns its two worker threads; {@link #close()} stops the listener and the threads. Plain Java: the
 * component starts and closes it, tests too.
 */
final class HttpEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);

    /** What the endpoint serves, asked anew at each request. */
    interface Content {
        List<MetricFamily> metrics();

        Readiness.Answer readiness();
    }

    private final HttpServer server;
    private final ExecutorService workers;

    private HttpEndpoint(HttpServer server, ExecutorService workers) {
        this.server = server;
        this.workers = workers;
    }

    /**
     * @throws IOException with a message naming the address, e.g. when the port is in use
     */
    static HttpEndpoint start(InetSocketAddress address, Content content) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (BindException e) {
            throw new IOException(Settings.url(address, "") + ": cannot listen: " + e.getMessage()
                    + (address.getPort() != 0 ? " (is another process using port " + address.getPort() + "?)" : ""), e);
        }
        int port = server.getAddress().getPort();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "ovnk-metrics-http-" + port + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(workers);
        server.createContext("/", exchange -> serve(exchange, content));
        server.start();
        return new HttpEndpoint(server, workers);
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    private static void serve(HttpExchange exchange, Content content) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            boolean head = method.equals("HEAD");
            if (!head && !method.equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                answer(exchange, 405, "text/plain; charset=utf-8", method + " is not served here: GET or HEAD\n", false);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/metrics" -> answer(exchange, 200, TextFormat.CONTENT_TYPE, TextFormat.write(content.metrics()), head);
                case "/healthz" -> answer(exchange, 200, "text/plain; charset=utf-8", "ok\n", head);
                case "/readyz" -> {
                    Readiness.Answer readiness = content.readiness();
                    answer(exchange, readiness.status(), "text/plain; charset=utf-8", readiness.body(), head);
                }
                default -> answer(exchange, 404, "text/plain; charset=utf-8",
                        path + ": not found (served: /metrics, /healthz, /readyz)\n", head);
            }
        } catch (RuntimeException e) {
            // the JDK server would only drop the connection: log what broke, the client sees the reset
            LOG.warn("metrics endpoint: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            throw e;
        }
    }

    private static void answer(HttpExchange exchange, int status, String type, String body, boolean head)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops listening at once (a scrape in flight is cut) and the worker threads, waiting a moment for them. */
    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("metrics endpoint: a worker thread did not stop within 5 s of being told to");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
