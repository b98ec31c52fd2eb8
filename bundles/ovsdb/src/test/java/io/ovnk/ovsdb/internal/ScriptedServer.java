package io.ovnk.ovsdb.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small OVSDB server on loopback for one database {@code Test} with one table {@code T(name, n)}: it answers
 * get_schema, echo, monitor_cond_since (resuming when the client's last transaction id is current) and transact
 * (inserts into T, with their update3 before the reply, as ovsdb-server does). Its rows are the truth a client's
 * cache must end up equal to. A test can make it misbehave on the next transact, once.
 */
final class ScriptedServer implements AutoCloseable {

    static final String SCHEMA = "{\"name\":\"Test\",\"version\":\"1.0.0\",\"tables\":{\"T\":{\"columns\":"
            + "{\"name\":{\"type\":\"string\"},\"n\":{\"type\":\"integer\"}}}}}";

    /** What the server does instead of answering a transact properly. */
    interface Misbehaviour {
        void transact(Connection connection, JsonNode id, JsonNode request) throws IOException;
    }

    final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    /** The table's rows by UUID: {"name":..,"n":..}. */
    final Map<String, ObjectNode> truth = new ConcurrentHashMap<>();
    final AtomicInteger connections = new AtomicInteger();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile String transaction = UUID.randomUUID().toString();
    private volatile Misbehaviour next;
    private volatile Misbehaviour nextMonitor;

    ScriptedServer() throws IOException {
        acceptor = new Thread(this::accept, "scripted-ovsdb");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** The next transact (only) gets this instead of a proper answer. */
    void misbehaveOnce(Misbehaviour misbehaviour) {
        next = misbehaviour;
    }

    /** The next monitor request (only) gets this instead of a proper answer. */
    void misbehaveOnMonitorOnce(Misbehaviour misbehaviour) {
        nextMonitor = misbehaviour;
    }

    /** Drops every connection (the client reconnects and monitors again). */
    void hangUpAll() throws IOException {
        for (Connection connection : open) {
            connection.hangUp();
        }
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket accepted = socket.accept();
                connections.incrementAndGet();
                Connection connection = new Connection(accepted);
                open.add(connection);
                Thread reader = new Thread(connection::serve, "scripted-ovsdb-connection");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                // closed
            }
        }
    }

    /** One client connection, served on its own thread. */
    final class Connection {
        final Socket socket;
        final OutputStream out;
        volatile String monitorId;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        void serve() {
            try (socket) {
                InputStream in = socket.getInputStream();
                FrameDecoder decoder = new FrameDecoder(1 << 24, 64, this::answer);
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0;) {
                    decoder.feed(buffer, 0, n);
                }
            } catch (IOException | RuntimeException e) {
                // the client hung up, or we did
            } finally {
                open.remove(this);
            }
        }

        synchronized void send(String json) throws IOException {
            sendRaw(json.getBytes(StandardCharsets.UTF_8));
        }

        synchronized void sendRaw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void hangUp() throws IOException {
            socket.close();
        }

        private void answer(JsonNode request) {
            String method = request.path("method").asString("");
            JsonNode id = request.get("id");
            try {
                switch (method) {
                    case "get_schema" -> reply(id, SCHEMA);
                    case "echo" -> reply(id, request.path("params").toString());
                    case "monitor_cond_since" -> {
                        Misbehaviour misbehaviour = nextMonitor;
                        nextMonitor = null;
                        if (misbehaviour != null) {
                            monitorId = request.path("params").path(1).asString();
                            misbehaviour.transact(this, id, request);
                        } else {
                            monitor(id, request.path("params"));
                        }
                    }
                    case "transact" -> {
                        Misbehaviour misbehaviour = next;
                        next = null;
                        if (misbehaviour != null) {
                            misbehaviour.transact(this, id, request);
                        } else {
                            transact(id, request.path("params"));
                        }
                    }
                    default -> {
                        if (id != null && !id.isNull()) {
                            send("{\"id\":" + id + ",\"result\":null,\"error\":{\"error\":\"unknown method\"}}");
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        void reply(JsonNode id, String result) throws IOException {
            send("{\"id\":" + id + ",\"result\":" + result + ",\"error\":null}");
        }

        private void monitor(JsonNode id, JsonNode params) throws IOException {
            synchronized (ScriptedServer.this) {
                monitorId = params.path(1).asString();
                boolean current = transaction.equals(params.path(3).asString(""));
                ObjectNode rows = Values.NODES.objectNode();
                if (!current) {
                    ObjectNode table = rows.putObject("T");
                    truth.forEach((uuid, row) -> table.putObject(uuid).set("initial", row));
                }
                reply(id, "[" + current + ",\"" + transaction + "\"," + rows + "]");
            }
        }

        /** Inserts into T as asked; the update3 goes out before the reply. */
        void transact(JsonNode id, JsonNode params) throws IOException {
            synchronized (ScriptedServer.this) {
                ArrayNode results = Values.NODES.arrayNode();
                ObjectNode table = Values.NODES.objectNode();
                for (int i = 1; i < params.size(); i++) {
                    JsonNode op = params.get(i);
                    if (op.path("op").asString("").equals("insert") && op.path("table").asString("").equals("T")) {
                        String uuid = UUID.randomUUID().toString();
                        ObjectNode row = Values.NODES.objectNode();
                        row.put("name", op.path("row").path("name").asString(""));
                        row.put("n", op.path("row").path("n").asLong(0));
                        truth.put(uuid, row);
                        table.putObject(uuid).set("insert", row);
                        results.addObject().putArray("uuid").add("uuid").add(uuid);
                    } else {
                        results.addObject();
                    }
                }
                if (!table.isEmpty()) {
                    transaction = UUID.randomUUID().toString();
                    send("{\"id\":null,\"method\":\"update3\",\"params\":[\"" + monitorId + "\",\"" + transaction
                            + "\",{\"T\":" + table + "}]}");
                }
                reply(id, results.toString());
            }
        }
    }

    @Override
    public void close() throws Exception {
        socket.close();
        for (Connection connection : open) {
            connection.hangUp();
        }
        acceptor.join(5000);
    }
}
