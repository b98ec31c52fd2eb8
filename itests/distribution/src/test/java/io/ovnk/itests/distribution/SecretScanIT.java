package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs after every other test class of the module ({@code @Order}, see junit-platform.properties): no secret a test handed to
 * ovnk appears in any log or output written meanwhile. It reads every text file under target/ (the logs
 * {@link LogKeeper} kept, the OVN stacks' logs, failsafe's reports with each test's output), except the
 * directories that hold the secrets on purpose (target/it-secrets) and the compiled tests. The secrets are the
 * sentinels of {@link Secrets}, the token of {@link FlagsIT}'s seed command line, and the body of every private
 * key the tests made ({@code *privkey.pem} under target/it-secrets).
 */
@Order(Integer.MAX_VALUE)
class SecretScanIT {

    private static final Pattern PEM_BODY_LINE = Pattern.compile("^[A-Za-z0-9+/=]{40,}$");

    @TempDir
    Path scratch;

    @Test
    void noSecretAppearsInAnyLogOrOutputOfTheModulesTests() throws IOException {
        Set<String> secrets = secrets();
        Path target = Secrets.directory().getParent();
        List<Path> files = scanned(target);
        assertTrue(files.stream().anyMatch(file -> file.getFileName().toString().equals("ovnk.log")),
                "no ovnk.log under " + target + " to scan: run the module's tests first (mvn verify runs them before "
                        + "this scan; -Dit.test=SecretScanIT alone scans what an earlier run kept)");
        List<String> found = new ArrayList<>();
        for (Path file : files) {
            found.addAll(occurrences(file, secrets));
        }
        System.out.printf("secret scan: %d secrets (%d plain sentinels, the rest private key lines) in %d files "
                + "under %s: %d found%n", secrets.size(), Secrets.sentinels().size() + 1, files.size(), target,
                found.size());
        assertEquals(List.of(), found, "secrets in logs or outputs");
    }

    /** The control: the scan does find a secret where one is, naming the file and line. */
    @Test
    void theScanFindsAPlantedSecretNamingFileAndLine() throws IOException {
        Path planted = Files.writeString(scratch.resolve("planted.txt"), "a line\nAuthorization: Bearer " + Secrets.TOKEN
                + "\n");
        assertEquals(List.of(planted + ":2: " + Secrets.TOKEN.substring(0, 6) + "..."),
                occurrences(planted, Set.of(Secrets.TOKEN)));
        assertFalse(secrets().isEmpty());
    }

    private static Set<String> secrets() throws IOException {
        Set<String> secrets = new LinkedHashSet<>(Secrets.sentinels());
        FlagsIT.SEED_NODE.stream().filter(flag -> flag.startsWith("-k8s-token=")).map(flag -> flag.substring(11))
                .forEach(secrets::add);
        if (Files.isDirectory(Secrets.directory())) {
            try (Stream<Path> walk = Files.walk(Secrets.directory())) {
                for (Path key : walk.filter(p -> p.getFileName().toString().endsWith("privkey.pem")).toList()) {
                    for (String line : Files.readAllLines(key, StandardCharsets.US_ASCII)) {
                        if (PEM_BODY_LINE.matcher(line).matches()) {
                            secrets.add(line);
                        }
                    }
                }
            }
        }
        return secrets;
    }

    /** Every text file under target/ but the secrets' own directory, classes, jars, archives and this scan's reports. */
    private static List<Path> scanned(Path target) throws IOException {
        List<Path> skipped = List.of(Secrets.directory(), target.resolve("classes"), target.resolve("test-classes"));
        try (Stream<Path> walk = Files.walk(target)) {
            return walk.filter(Files::isRegularFile)
                    .filter(file -> skipped.stream().noneMatch(file::startsWith))
                    .filter(file -> !file.getFileName().toString().matches(".*\\.(jar|class|gz|db)$"))
                    // its own reports: written by the scan itself, about what it found
                    .filter(file -> !file.getFileName().toString().contains(SecretScanIT.class.getSimpleName()))
                    .toList();
        }
    }

    /** {@code file:line: first characters of the secret...} for each line holding one. */
    private static List<String> occurrences(Path file, Set<String> secrets) throws IOException {
        List<String> found = new ArrayList<>();
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            for (String secret : secrets) {
                if (lines[i].contains(secret)) {
                    // a few characters only: this line lands in failsafe's report, which a later scan reads
                    found.add(file + ":" + (i + 1) + ": " + secret.substring(0, Math.min(6, secret.length() / 3)) + "...");
                }
            }
        }
        return found;
    }
}
