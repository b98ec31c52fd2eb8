package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.Pki;
import io.ovnk.ovnstack.junit.RequiresOvn;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real bin/ovnkube as a master whose OVN databases are reached over {@code ssl:} only, configured with the seed's
 * TLS flags and certificates made by ovs-pki; what it writes stays private and what it is given stays secret.
 */
@RequiresOvn
class SecurityIT {

    static final Duration START = Duration.ofSeconds(90);
    static final Duration LIVE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aMasterOnSslWithTheSeedsTlsFlagsWorksRefusesAStrangerOnceAndKeepsItsFilesAndSecretsPrivate() throws Exception {
        Path secrets = Secrets.directory().resolve("SecurityIT-" + UUID.randomUUID().toString().substring(0, 8));
        Pki pki = Pki.create(secrets.resolve("pki"));
        Pki other = Pki.create(secrets.resolve("other-pki"));
        Pki.Identity master = pki.sign("ovnkube-master");
        Pki.Identity stranger = other.sign("stranger");
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient kube = api.createClient();
                OvnStack stack = OvnStack.builder().southbound().ssl(pki).root(dir).start();
                Ovnkube ovnkube = new Ovnkube(dir)) {
            kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().build()).create();
            Path kubeconfig = Secrets.kubeconfig(secrets.resolve("kubeconfig.yaml"), api.url("/"));
            Path etc = ovnkube.home().resolve("etc");
            // a connection with a certificate of another CA, and a kube file with a token next to a bad value
            Secrets.ownerOnly(etc.resolve("io.ovnk.ovsdb.connection~stranger.cfg"), String.join("\n",
                    "database = OVN_Southbound", "remotes = " + stack.southbound().sslRemote(),
                    "private.key = " + stranger.privateKey(), "certificate = " + stranger.certificate(),
                    "ca.certificate = " + pki.caCertificate(), ""));
            Secrets.ownerOnly(etc.resolve("io.ovnk.kube.cfg"), "token = " + Secrets.ETC_TOKEN + "\nqps = lots\n");
            String nb = "ssl://" + stack.northbound().sslRemote().substring("ssl:".length());
            String sb = "ssl://" + stack.southbound().sslRemote().substring("ssl:".length());

            ovnkube.start("console", "-init-master=master-1", "-net-controller", "-k8s-kubeconfig", kubeconfig.toString(),
                    "-k8s-apiserver=" + api.url("/"), "-k8s-token=" + Secrets.TOKEN, "-cluster-subnet=10.128.0.0/14",
                    "-service-cluster-ip-range=172.16.1.0/24",
                    "-nb-address=" + nb, "-nb-client-privkey=" + master.privateKey(),
                    "-nb-client-cert=" + master.certificate(), "-nb-client-cacert=" + pki.caCertificate(),
                    "-sb-address=" + sb, "-sb-client-privkey=" + master.privateKey(),
                    "-sb-client-cert=" + master.certificate(), "-sb-client-cacert=" + pki.caCertificate());
            ovnkube.await("ovnk started in", START);

            // the master's only way to the Northbound is ssl: the node's switch appearing there proves it works
            stack.nbctl("--timeout=60", "wait-until", "Logical_Switch", "node-a");
            ovnkube.stdin().write("ovnk:status\n".getBytes(StandardCharsets.UTF_8));
            ovnkube.stdin().flush();
            ovnkube.awaitAnywhere("OVN_Northbound +connected +" + stack.northbound().sslRemote().replace(".", "\\."), LIVE);

            // the stranger: one WARN naming the remote, the certificate and the reason, no stack trace
            // (the alert says unknown CA; when a reset swallowed it, the line says the server closed the connection)
            String refused = "OVN_Southbound: no connection (" + stack.southbound().sslRemote() + ": the server ";
            Path log = ovnkube.home().resolve("log/ovnk.log");
            LogFile.await(log, refused, LIVE);
            String refusal = Files.readAllLines(log).stream().filter(l -> l.contains(refused)).findFirst().orElseThrow();
            assertTrue(refusal.contains("this client's certificate " + stranger.certificate()), refusal);
            assertTrue(refusal.contains("unknown CA") || refusal.contains("--ca-cert signed it"), refusal);
            // the value of a bad key is named, the token next to it never
            LogFile.await(log, "etc/io.ovnk.kube.cfg: not applied: key 'qps'", LIVE);

            List<String> lines = Files.readAllLines(log);
            assertEquals(1, lines.stream().filter(line -> line.contains(stranger.certificate().toString())).count(),
                    "one line per attempt series for the refused connection:\n" + String.join("\n", lines));
            assertEquals(List.of(), lines.stream().filter(line -> line.startsWith("\tat ")).toList(), "no stack trace");
            String text = Files.readString(log);
            for (String secret : List.of(Secrets.TOKEN, Secrets.ETC_TOKEN, Secrets.KUBECONFIG_TOKEN)) {
                assertFalse(text.contains(secret), "a secret in log/ovnk.log");
            }
            for (Path key : List.of(master.privateKey(), stranger.privateKey())) {
                for (String keyLine : Files.readAllLines(key)) {
                    if (!keyLine.startsWith("-----")) {
                        assertFalse(text.contains(keyLine), "private key material of " + key + " in log/ovnk.log");
                    }
                }
            }
            assertNothingWorldReadable(ovnkube.home());
        } finally {
            api.destroy();
        }
    }

    @Test
    void aNodesCniSocketNetworkConfigurationAndShimAreNotWorldReadable() throws Exception {
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        try (Ovnkube ovnkube = new Ovnkube(dir)) {
            Path etc = ovnkube.home().resolve("etc");
            // the node role's CNI server alone (no mode configured): it listens and installs without a chassis
            Files.writeString(etc.resolve("io.ovnk.launcher.cfg"), "roles = node\nmode = overlay\nfeatures =\n");
            Files.writeString(etc.resolve("io.ovnk.kube.cfg"), "api.server = " + api.url("/") + "\n");
            ovnkube.start();
            ovnkube.await("ovnk started in", START);
            Path cni = ovnkube.home().resolve("data/test-cni");
            Path conflist = cni.resolve("net.d/10-ovn-kubernetes.conflist");
            LogFile.await(ovnkube.home().resolve("log/ovnk.log"), "CNI: wrote the network configuration", LIVE);

            assertEquals("rwx------", mode(cni.resolve("run")));
            assertEquals("rw-------", mode(cni.resolve("run/cni.sock")));
            assertEquals("rw-r-----", mode(conflist));
            assertEquals("rwxr-x---", mode(cni.resolve("bin/ovn-k8s-cni-overlay")));
            assertNothingWorldReadable(ovnkube.home());
        } finally {
            api.destroy();
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** What ovnk wrote (log/ and data/, whole trees) is for its user and group only. */
    private static void assertNothingWorldReadable(Path home) throws IOException {
        List<String> open = new ArrayList<>();
        int checked = 0;
        for (Path root : List.of(home.resolve("log"), home.resolve("data"))) {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path path : walk.toList()) {
                    if (path.equals(home.resolve("log")) || Files.isSymbolicLink(path)) {
                        continue; // log/ itself ships with the distribution; its files are what ovnk writes
                    }
                    checked++;
                    var mode = Files.getPosixFilePermissions(path);
                    if (mode.contains(PosixFilePermission.OTHERS_READ) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                        open.add(home.relativize(path) + " " + PosixFilePermissions.toString(mode));
                    }
                }
            }
        }
        assertTrue(checked > 5, "log/ and data/ hold what ovnk wrote");
        assertEquals(List.of(), open, "files and directories ovnk wrote that every user may read");
    }
}
