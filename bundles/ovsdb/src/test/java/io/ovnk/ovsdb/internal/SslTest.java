package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.Commands;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.NotConnectedException;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.OvsdbClients;
import io.ovnk.ovsdb.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ssl: remotes with certificates made by ovs-pki, as an OVN deployment makes them. */
@RequiresOvn
class SslTest {

    @TempDir
    Path dir;

    @Test
    void theRightCaConnectsAndAWrongCaIsRefusedWithTheReason() throws Exception {
        Commands commands = new Commands(Map.of());
        Path pki = pki(commands, "pki");
        Path otherPki = pki(commands, "other-pki");
        Path server = sign(commands, pki, "server");
        Path client = sign(commands, pki, "client");
        try (OvnStack stack = OvnStack.northboundOnly()) {
            int port = OvnStack.freePort();
            stack.nbctl("set-ssl", server + "-privkey.pem", server + "-cert.pem", pki.resolve("switchca/cacert.pem").toString(),
                    "--", "set-connection", "pssl:" + port + ":127.0.0.1");
            TlsFiles right = new TlsFiles(Path.of(client + "-privkey.pem"), Path.of(client + "-cert.pem"),
                    pki.resolve("switchca/cacert.pem"));
            try (OvsdbClient ssl = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", "ssl:127.0.0.1:" + port, right)
                   .withMaxBackoff(Duration.ofMillis(200)))) {
                assertTrue(ssl.listDatabases().get(20, TimeUnit.SECONDS).contains("OVN_Northbound"));
                ssl.transact(Operation.insert("Logical_Switch").set("name", "over-tls")).get(10, TimeUnit.SECONDS);
            }

            TlsFiles wrongCa = new TlsFiles(Path.of(client + "-privkey.pem"), Path.of(client + "-cert.pem"),
                    otherPki.resolve("switchca/cacert.pem"));
            try (OvsdbClient refused = OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", "ssl:127.0.0.1:" + port, wrongCa)
                   .withMaxBackoff(Duration.ofMillis(200)))) {
                NotConnectedException e = ClientTest.failure(refused.transact(List.of(
                        Operation.insert("Logical_Switch").set("name", "never")), Duration.ofSeconds(2)),
                        NotConnectedException.class);
                assertTrue(e.getMessage().contains("last attempt: ssl:127.0.0.1:" + port), e.getMessage());
                assertTrue(e.getMessage().toLowerCase().contains("certif") || e.getMessage().contains("PKIX"),
                        "names the certificate problem: " + e.getMessage());
            }
        }
    }

    private Path pki(Commands commands, String name) {
        Path path = dir.resolve(name);
        commands.run(Duration.ofSeconds(60), List.of("ovs-pki", "--dir=" + path, "--log=" + dir.resolve(name + ".log"), "init"));
        return path;
    }

    /** Signs a key pair; run in the test directory with a short name, as the name becomes the certificate's CN. */
    private Path sign(Commands commands, Path pki, String name) {
        Commands.Result result = commands.exec(Duration.ofSeconds(60), List.of("ovs-pki", "--batch", "--dir=" + pki,
                "--log=" + dir.resolve(name + ".log"), "req+sign", name, "switch"), dir);
        if (result.exitCode() != 0) {
            throw new AssertionError("ovs-pki req+sign " + name + " failed: " + result.stdout() + result.stderr());
        }
        return dir.resolve(name);
    }
}
