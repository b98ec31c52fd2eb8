package io.ovnk.runtime.internal.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Refuses a configuration file that sets a secret (a token, a password, the TLS private key) while every user of
 * the machine may write it: any local process could swap the secret, or point it at a server of its own that then
 * receives it. World-writable is refused; group-writable is allowed, as the group is an administrator's choice.
 * A file with a secret that everyone may read is applied, with a warning.
 */
final class SecretFileCheck {

    /**
     * @param refusal why the file is not applied, empty when it may be
     * @param warning what to tell about a file that is applied anyway, empty when nothing
     */
    record Verdict(Optional<String> refusal, Optional<String> warning) {
        static final Verdict FINE = new Verdict(Optional.empty(), Optional.empty());
    }

    private SecretFileCheck() {
    }

    /**
     * @param display the file as log lines name it ({@code etc/io.ovnk.kube.cfg})
     * @param secretKeys the keys of the file that hold secrets, in the file's order
     */
    static Verdict check(Path file, String display, List<String> secretKeys) throws IOException {
        if (secretKeys.isEmpty()) {
            return Verdict.FINE;
        }
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException notPosix) {
            return Verdict.FINE;
        }
        String keys = secretKeys.stream().map(key -> "'" + key + "'").reduce((a, b) -> a + ", " + b).orElseThrow();
        String holds = "the file holds the secret " + (secretKeys.size() == 1 ? "key " : "keys ") + keys;
        if (mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            return new Verdict(Optional.of(holds + " and every user may write it (" + PosixFilePermissions.toString(mode)
                    + "); run 'chmod o-w " + display + "' (better: chmod 600), the file is read again when its mode "
                    + "changes"), Optional.empty());
        }
        if (mode.contains(PosixFilePermission.OTHERS_READ)) {
            return new Verdict(Optional.empty(), Optional.of(holds + " and every user may read it ("
                    + PosixFilePermissions.toString(mode) + "); run 'chmod 600 " + display + "'"));
        }
        return Verdict.FINE;
    }
}
