package io.ovnk.ovsdb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.Pki;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ssl: remotes with certificates made by ovs-pki, as an OVN deployment makes them: the NB server of the stack is
 * started with its key, certificate and CA ({@code OvnStack.Builder.ssl}) and asks clients for a certificate of
 * the same CA. Each refusal must say which side refused what, naming the remote and the file.
 */
@RequiresOvn
class SslTest {

    @TempDir
    Path dir;

    @Test
    void theRightCertificatesConnectAndEachWrongOneIsRefusedWithTheReason() throws Exception {
        Pki pki = Pki.create(dir.resolve("pki"));
        Pki other = Pki.create(dir.resolve("other-pki"));
        Pki.Identity client = pki.sign("client");
        try (OvnStack stack = OvnStack.builder().northbound().ssl(pki).start()) {
            String remote = stack.northbound().sslRemote();
            try (OvsdbClient ssl = connect(remote, new TlsFiles(client.privateKey(), client.certificate(),
                    pki.caCertificate()))) {
                assertTrue(ssl.listDatabases().get(20, TimeUnit.SECONDS).contains("OVN_Northbound"));
                ssl.transact(Operation.insert("Logical_Switch").set("name", "over-tls")).get(10, TimeUnit.SECONDS);
            }
            assertTrue(stack.nbctl("--bare", "--columns=name", "list", "Logical_Switch").contains("over-tls"));

            // this client trusts another CA than the one that signed the server's certificate
            assertEquals(remote + ": unknown CA: the server's certificate is not signed by the CA in "
                    + other.caCertificate() + " (ca.certificate)",
                    refusal(remote, new TlsFiles(client.privateKey(), client.certificate(), other.caCertificate())));

            // this client's certificate is signed by a CA the server does not know
            Pki.Identity stranger = other.sign("stranger");
            String stranged = refusal(remote, new TlsFiles(stranger.privateKey(), stranger.certificate(), pki.caCertificate()));
            // the alert (unknown CA) when it arrives first; a reset of the connection can discard it, and then what
            // is known is said: the server closed the connection, as it does when it refuses the certificate
            assertTrue(stranged.startsWith(remote + ": "), stranged);
            assertTrue(stranged.contains(": the server refused this client's certificate " + stranger.certificate()
                    + ": unknown CA (not signed by a CA the server accepts) (") || stranged.contains("the server closed "
                    + "the connection ") && stranged.endsWith(", as it does when it refuses this client's certificate "
                    + stranger.certificate() + ": check that its --ca-cert signed it"), stranged);

            // this client's certificate is signed by the right CA, but expired
            Pki.Identity expired = pki.signExpired("expired");
            assertEquals(remote + ": " + expired.certificate() + ": this client's certificate expired on "
                    + "2020-01-02T00:00:00Z; the server would refuse it: sign a new one (ovs-pki req+sign)",
                    refusal(remote, new TlsFiles(expired.privateKey(), expired.certificate(), pki.caCertificate())));
        }
    }

    @Test
    void aServerWithAnExpiredCertificateIsRefused() throws Exception {
        Pki pki = Pki.create(dir.resolve("pki"));
        Pki.Identity server = pki.signExpired("server");
        Pki.Identity client = pki.sign("client");
        try (OvnStack stack = OvnStack.northboundOnly()) {
            int port = OvnStack.freePort();
            // the server's TLS from the database, as ovn-ctl configures it (set-ssl, set-connection)
            stack.nbctl("set-ssl", server.privateKey().toString(), server.certificate().toString(),
                    pki.caCertificate().toString(), "--", "set-connection", "pssl:" + port + ":127.0.0.1");
            String remote = "ssl:127.0.0.1:" + port;
            String reason = refusal(remote, new TlsFiles(client.privateKey(), client.certificate(), pki.caCertificate()));
            assertTrue(reason.startsWith(remote + ": the server's certificate has expired (NotAfter: "), reason);
            assertTrue(reason.endsWith("); the server must renew it"), reason);
        }
    }

    private static OvsdbClient connect(String remote, TlsFiles tls) {
        return OvsdbClients.connect(OvsdbClientConfig.of("OVN_Northbound", remote, tls)
                .withMaxBackoff(Duration.ofMillis(200)));
    }

    /** What a request says when the client cannot connect: the last attempt's remote and reason. */
    private static String refusal(String remote, TlsFiles tls) throws Exception {
        try (OvsdbClient refused = connect(remote, tls)) {
            NotConnectedException e = ClientTest.failure(refused.transact(List.of(
                    Operation.insert("Logical_Switch").set("name", "never")), Duration.ofSeconds(2)),
                    NotConnectedException.class);
            String message = e.getMessage();
            int at = message.indexOf("last attempt: ");
            assertTrue(at >= 0, message);
            return message.substring(at + "last attempt: ".length());
        }
    }
}
