package io.ovnk.ovnstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A public key infrastructure made by {@code ovs-pki}, as an OVN deployment makes one: a CA ({@code switchca})
 * and key pairs it signs. Everything stays in the given directory; names become certificates' common names.
 * <pre>
 * Pki pki = Pki.create(dir.resolve("pki"));
 * Pki.Identity server = pki.sign("server");
 * </pre>
 */
public final class Pki {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * @param privateKey the PEM private key (the file an ovs-pki user keeps to itself)
     * @param certificate the PEM certificate signed by the CA
     */
    public record Identity(Path privateKey, Path certificate) {
    }

    private final Path directory;
    private final Path keys;
    private final Commands commands = new Commands(Map.of());

    private Pki(Path directory) {
        this.directory = directory;
        this.keys = directory.resolve("keys");
    }

    /** {@code ovs-pki init} in {@code directory}, which must not exist yet. */
    public static Pki create(Path directory) {
        Pki pki = new Pki(directory);
        try {
            Files.createDirectories(pki.keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pki.ovsPki(List.of("init"));
        return pki;
    }

    /** The CA certificate peers verify against ({@code switchca/cacert.pem}). */
    public Path caCertificate() {
        return directory.resolve("switchca/cacert.pem");
    }

    /** {@code ovs-pki req+sign NAME switch}: a key pair valid from now on for ten years. */
    public Identity sign(String name) {
        ovsPki(List.of("req+sign", name, "switch"));
        return identity(name);
    }

    /**
     * A key pair whose certificate the CA signed for 2020-01-01 to 2020-01-02 only: expired, otherwise as good as
     * {@link #sign}. {@code openssl ca -startdate/-enddate} with the CA's own configuration, as OpenSSL 3.0 has no
     * other way to back-date a certificate.
     */
    public Identity signExpired(String name) {
        ovsPki(List.of("req", name));
        Path ca = directory.resolve("switchca");
        Commands.Result result = commands.exec(TIMEOUT, List.of("openssl", "ca", "-config", "ca.cnf", "-batch",
                "-startdate", "20200101000000Z", "-enddate", "20200102000000Z",
                "-subj", "/O=Open vSwitch/OU=switch/CN=" + name,
                "-in", keys.resolve(name + "-req.pem").toString(), "-out", keys.resolve(name + "-cert.pem").toString()), ca);
        if (result.exitCode() != 0) {
            throw new CommandException(List.of("openssl", "ca", name), result.exitCode(), result.stderr());
        }
        return identity(name);
    }

    private Identity identity(String name) {
        return new Identity(keys.resolve(name + "-privkey.pem"), keys.resolve(name + "-cert.pem"));
    }

    /** Runs in the keys directory: ovs-pki writes NAME-privkey.pem and NAME-cert.pem where it runs. */
    private void ovsPki(List<String> arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("ovs-pki", "--batch", "--force", "--dir=" + directory,
                "--log=" + directory.resolve("ovs-pki.log")));
        command.addAll(arguments);
        Commands.Result result = commands.exec(TIMEOUT, command, keys);
        if (result.exitCode() != 0) {
            throw new CommandException(command, result.exitCode(), result.stdout() + result.stderr());
        }
    }
}
