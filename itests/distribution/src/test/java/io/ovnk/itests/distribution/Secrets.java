package io.ovnk.itests.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Recognisable secrets the tests hand to ovnk, so that {@link SecretScanIT} can prove none of them reached a log,
 * a console or an output file. Files holding them live in {@link #directory()}, which the scan does not read.
 */
final class Secrets {

    /** A bearer token given as {@code -k8s-token} or {@code token} in etc/. */
    static final String TOKEN = "ovnk-sentinel-token-7c1f9e2a4b";
    /** A token set in etc/io.ovnk.kube.cfg next to a bad value, whose error line must not echo it. */
    static final String ETC_TOKEN = "ovnk-sentinel-etc-token-5d83b0";
    /** The user token inside a kubeconfig file. */
    static final String KUBECONFIG_TOKEN = "ovnk-sentinel-kubeconfig-token-e64a1d";

    private Secrets() {
    }

    /** Where the tests keep key pairs, kubeconfigs and other files holding secrets (target/it-secrets). */
    static Path directory() {
        return Path.of(System.getProperty("ovnk.it.secrets", "target/it-secrets")).toAbsolutePath();
    }

    /** The plain sentinels; private keys are found as files ({@code *privkey.pem}) under {@link #directory()}. */
    static List<String> sentinels() {
        return List.of(TOKEN, ETC_TOKEN, KUBECONFIG_TOKEN);
    }

    /** A kubeconfig for the API server with the sentinel token, owner-only as an operator keeps it. */
    static Path kubeconfig(Path file, String server) {
        String text = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster:
                    server: %s
                users:
                - name: ovnkube
                  user:
                    token: %s
                contexts:
                - name: test
                  context:
                    cluster: test
                    user: ovnkube
                current-context: test
                """.formatted(server, KUBECONFIG_TOKEN);
        return ownerOnly(file, text);
    }

    /** Writes a file readable by its owner only. */
    static Path ownerOnly(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
