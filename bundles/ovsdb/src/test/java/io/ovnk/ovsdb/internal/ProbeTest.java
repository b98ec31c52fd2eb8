package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.ovnstack.Commands;
import io.ovnk.ovnstack.Daemon;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.OvsdbClientConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Echo both ways: the server's probes are answered, and a server that stops answering ours is left. */
@RequiresOvn
class ProbeTest {

    @Test
    void anIdleConnectionOutlivesTheServersProbesWithoutReconnecting() throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly()) {
            int port = OvnStack.freePort();
            stack.nbctl("set-connection", "ptcp:" + port + ":127.0.0.1", "--", "set", "connection", ".",
                    "inactivity_probe=1000");
            // our own probe far longer than the server's, so only the server probes
            try (Client client = new Client(OvsdbClientConfig.of("OVN_Northbound", "tcp:127.0.0.1:" + port)
                    .withProbeInterval(Duration.ofSeconds(60)).withMaxBackoff(Duration.ofMillis(200)))) {
                client.connected().get(10, TimeUnit.SECONDS);
                // idle: three probes of the server (each after 1 s of silence), all answered
                client.probesAnswered(3).get(20, TimeUnit.SECONDS);
                client.echo().get(5, TimeUnit.SECONDS);
                assertEquals(1, client.connections(), "no reconnection while idle");
            }
        }
    }

    @Test
    void aServerThatStopsAnsweringIsLeftAndRejoinedWhenItAnswersAgain() throws Exception {
        try (OvnStack stack = OvnStack.northboundOnly();
                Client client = new Client(OvsdbClientConfig.of("OVN_Northbound", stack.northbound().tcpRemote())
                        .withProbeInterval(Duration.ofMillis(500)).withMaxBackoff(Duration.ofMillis(200)))) {
            client.connected().get(10, TimeUnit.SECONDS);
            java.util.concurrent.CompletableFuture<Void> left = new java.util.concurrent.CompletableFuture<>();
            client.listenState(state -> {
                if (state == io.ovnk.ovsdb.OvsdbClient.State.CONNECTING) {
                    left.complete(null);
                }
            });
            Daemon server = stack.daemons().get(0);
            Commands commands = new Commands(Map.of());
            commands.run("kill", "-STOP", Long.toString(server.pid()));
            try {
                // the probe goes unanswered: the client drops the connection and keeps trying
                left.get(20, TimeUnit.SECONDS);
            } finally {
                commands.run("kill", "-CONT", Long.toString(server.pid()));
            }
            client.connected().get(20, TimeUnit.SECONDS);
            client.echo().get(5, TimeUnit.SECONDS);
            assertEquals(2, client.connections());
        }
    }
}
