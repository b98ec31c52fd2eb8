package io.ovnk.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.LogManager;

/**
 * The mock API server logs every request through java.util.logging; that console is not what a benchmark measures.
 * The levels go into the LogManager's configuration: a level set on a Logger object is lost when the weakly held
 * logger is collected, and the server then logs every request again.
 */
final class MockServerLogs {

    private MockServerLogs() {
    }

    static void quiet() {
        String config = """
                handlers=java.util.logging.ConsoleHandler
                .level=INFO
                io.fabric8.mockwebserver.level=WARNING
                io.fabric8.kubernetes.client.server.mock.level=WARNING
                """;
        try {
            LogManager.getLogManager().readConfiguration(new ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
