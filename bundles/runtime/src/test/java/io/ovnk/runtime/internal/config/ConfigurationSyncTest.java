package io.ovnk.runtime.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.runtime.internal.config.ConfigurationSync.Outcome;
import io.ovnk.runtime.internal.config.ConfigurationSync.Settings;
import io.ovnk.runtime.internal.config.ConfigurationSync.Severity;
import io.ovnk.runtime.internal.config.ConfigurationSync.UnknownKeys;
import io.ovnk.runtime.internal.config.FeatureConfigurations.Defaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationSyncTest {

    static final Settings WARN = new Settings(UnknownKeys.WARN, 1 << 20);
    static final Settings REJECT = new Settings(UnknownKeys.REJECT, 1 << 20);
    static final ConfigTarget PID = ConfigTarget.singleton("io.ovnk.test");

    @TempDir
    Path etc;

    final MemoryStore store = new MemoryStore();
    final Map<String, ConfigSchema> schemas = new HashMap<>(Map.of("io.ovnk.test", ConfigValidatorTest.SCHEMA));

    ConfigurationSync sync(Map<ConfigTarget, Defaults> defaults) {
        return new ConfigurationSync(etc, "etc", defaults, store, pid -> Optional.ofNullable(schemas.get(pid)));
    }

    @Test
    void aValidFileIsAppliedWithItsOrigin() throws Exception {
        ConfigurationSync sync = sync(Map.of());
        Outcome outcome = sync.fileChanged(write("io.ovnk.test.cfg", "node=n1\nmtu=1400\n"), WARN);
        assertEquals(Severity.INFO, outcome.severity());
        assertEquals("etc/io.ovnk.test.cfg: applied to io.ovnk.test (2 keys)", outcome.message());
        assertEquals("n1", store.get(PID).get("node"));
        assertEquals("etc/io.ovnk.test.cfg", store.get(PID).get(ConfigurationSync.ORIGIN));
    }

    @Test
    void anInvalidFileLeavesThePreviousConfigurationInForce() throws Exception {
        ConfigurationSync sync = sync(Map.of());
        Path file = write("io.ovnk.test.cfg", "node=n1\nmtu=1400\n");
        sync.fileChanged(file, WARN);
        Map<String, Object> before = Map.copyOf(store.get(PID));

        Files.writeString(file, "node=n2\nmtu=fourteen hundred\n");
        Outcome outcome = sync.fileChanged(file, WARN);
        assertEquals(Severity.ERROR, outcome.severity());
        assertEquals("etc/io.ovnk.test.cfg: not applied: key 'mtu': \"fourteen hundred\" is not an integer (whole "
                + "number up to 2147483647); the previous configuration of io.ovnk.test stays in force", outcome.message());
        assertEquals(before, store.get(PID));
        assertEquals(1, store.writes);
    }

    @Test
    void anUnreadableFileOfANewPidSaysItStaysUnconfigured() throws Exception {
        Outcome outcome = sync(Map.of()).fileChanged(write("io.ovnk.test.cfg", "a=\\uZZZZ"), WARN);
        assertTrue(outcome.message().endsWith("; io.ovnk.test stays unconfigured"), outcome.message());
        assertFalse(store.exists(PID));
    }

    @Test
    void anUnreadableFileOfAPidWithDefaultsSaysTheDefaultsApplyInstead() throws Exception {
        ConfigurationSync sync = sync(Map.of(PID, new Defaults("core", Map.of("node", "default-node"))));
        write("io.ovnk.test.cfg", "a=\\uZZZZ");
        List<Outcome> outcomes = sync.applyAll(WARN);
        Outcome refused = outcomes.stream().filter(o -> o.severity() == Severity.ERROR).findFirst().orElseThrow();
        assertTrue(refused.message().endsWith("; io.ovnk.test gets only the defaults of feature core"),
                refused.message());
        assertEquals("default-node", store.get(PID).get("node"), "and they are applied");
    }

    @Test
    void unknownKeysWarnOrRejectAsConfigured() throws Exception {
        Path file = write("io.ovnk.test.cfg", "node=n1\nmtuu=1400\n");
        Outcome rejected = sync(Map.of()).fileChanged(file, REJECT);
        assertEquals(Severity.ERROR, rejected.severity());
        assertTrue(rejected.message().contains("unknown key 'mtuu' (did you mean 'mtu'?)"), rejected.message());
        assertFalse(store.exists(PID));

        Outcome warned = sync(Map.of()).fileChanged(file, WARN);
        assertEquals(Severity.WARN, warned.severity());
        assertEquals("etc/io.ovnk.test.cfg: applied to io.ovnk.test (2 keys), but io.ovnk.test does not use unknown "
                + "key 'mtuu' (did you mean 'mtu'?)", warned.message());
        assertTrue(store.exists(PID));
    }

    @Test
    void fileKeysOverrideFeatureDefaultsAndDeletingRevertsToThem() throws Exception {
        ConfigurationSync sync = sync(Map.of(PID, new Defaults("core", Map.of("node", "default-node", "mtu", 1500L))));
        List<Outcome> initial = sync.applyAll(WARN);
        assertEquals("feature core: default configuration applied to io.ovnk.test", initial.get(0).message());
        assertEquals(1500L, store.get(PID).get("mtu"));

        Path file = write("io.ovnk.test.cfg", "mtu=1400\n");
        sync.fileChanged(file, WARN);
        assertEquals("1400", store.get(PID).get("mtu"));
        assertEquals("default-node", store.get(PID).get("node"));
        assertEquals("feature core + etc/io.ovnk.test.cfg", store.get(PID).get(ConfigurationSync.ORIGIN));

        Files.delete(file);
        Outcome deleted = sync.fileDeleted(file, WARN);
        assertEquals("etc/io.ovnk.test.cfg: deleted; io.ovnk.test reverted to the defaults of feature core",
                deleted.message());
        assertEquals(1500L, store.get(PID).get("mtu"));
    }

    @Test
    void deletingTheFileOfAPidWithoutDefaultsRemovesTheConfiguration() throws Exception {
        ConfigurationSync sync = sync(Map.of());
        Path file = write("io.ovnk.test.cfg", "node=n1\n");
        sync.fileChanged(file, WARN);
        Files.delete(file);
        Outcome deleted = sync.fileDeleted(file, WARN);
        assertEquals(Severity.INFO, deleted.severity());
        assertEquals("etc/io.ovnk.test.cfg: deleted; configuration io.ovnk.test removed", deleted.message());
        assertFalse(store.exists(PID));
    }

    @Test
    void twoFilesForOnePidAreAConflictNotALastWriterWins() throws Exception {
        ConfigurationSync sync = sync(Map.of());
        sync.fileChanged(write("io.ovnk.test.cfg", "node=n1\n"), WARN);
        Outcome second = sync.fileChanged(write("io.ovnk.test.config", "node=\"n2\"\n"), WARN);
        assertEquals(Severity.ERROR, second.severity());
        assertEquals("etc/io.ovnk.test.config: not applied: configuration io.ovnk.test is already set by "
                + "etc/io.ovnk.test.cfg; remove one of the two files", second.message());
        assertEquals("n1", store.get(PID).get("node"));
    }

    @Test
    void anUnchangedFileIsNotWrittenAgain() throws Exception {
        ConfigurationSync sync = sync(Map.of());
        Path file = write("io.ovnk.test.cfg", "node=n1\n");
        sync.fileChanged(file, WARN);
        Outcome again = sync.fileChanged(file, WARN);
        assertEquals(Severity.DEBUG, again.severity());
        assertEquals(1, store.writes);
    }

    @Test
    void pidsWithoutMetatypeAreAppliedAsWritten() throws Exception {
        Outcome outcome = sync(Map.of()).fileChanged(write("org.example.other.cfg", "anything=goes\n"), REJECT);
        assertEquals("etc/org.example.other.cfg: applied to org.example.other (1 key, no metatype to check them "
                + "against)", outcome.message());
    }

    @Test
    void applyAllReadsEveryFileAndSkipsOthers() throws Exception {
        write("io.ovnk.test.cfg", "node=n1\n");
        write("org.example.a.config", "x=\"y\"\n");
        write("notes.txt", "not a configuration");
        List<Outcome> outcomes = sync(Map.of()).applyAll(WARN);
        assertEquals(2, outcomes.size());
        assertEquals(2, store.configurations.size());
    }

    @Test
    void aFileThatVanishedUnobservedIsTreatedAsDeletedByTheNextRescan() throws Exception {
        ConfigurationSync sync = sync(Map.of());
        Path file = write("io.ovnk.test.cfg", "node=n1\n");
        sync.applyAll(WARN);
        assertTrue(store.exists(PID));
        Files.delete(file);
        List<Outcome> outcomes = sync.applyAll(WARN);
        assertEquals(List.of("etc/io.ovnk.test.cfg: deleted; configuration io.ovnk.test removed"),
                outcomes.stream().map(Outcome::message).toList());
        assertFalse(store.exists(PID));
    }

    @Test
    void aStoreFailureIsReportedNotThrown() throws Exception {
        store.failing = true;
        Outcome outcome = sync(Map.of()).fileChanged(write("io.ovnk.test.cfg", "node=n1\n"), WARN);
        assertEquals(Severity.ERROR, outcome.severity());
        assertTrue(outcome.message().startsWith("etc/io.ovnk.test.cfg: Config Admin refused io.ovnk.test"),
                outcome.message());
    }

    @Test
    void aWorldWritableFileWithASecretIsRefusedAndThePreviousConfigurationStays() throws Exception {
        ConfigurationSync sync = sync(Map.of());
        Path file = write("io.ovnk.test.cfg", "node=n1\ntoken=first-SENTINEL-token\n", "rw-------");
        assertEquals(Severity.INFO, sync.fileChanged(file, WARN).severity());
        Map<String, Object> before = Map.copyOf(store.get(PID));

        write("io.ovnk.test.cfg", "node=n2\ntoken=second-SENTINEL-token\n", "rw-rw-rw-");
        Outcome refused = sync.fileChanged(file, WARN);
        assertEquals(Severity.ERROR, refused.severity());
        assertEquals("etc/io.ovnk.test.cfg: not applied: the file holds the secret key 'token' and every user may "
                + "write it (rw-rw-rw-); run 'chmod o-w etc/io.ovnk.test.cfg' (better: chmod 600), the file is read "
                + "again when its mode changes; the previous configuration of io.ovnk.test stays in force",
                refused.message());
        assertEquals(before, store.get(PID));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals(Severity.INFO, sync.fileChanged(file, WARN).severity());
        assertEquals("n2", store.get(PID).get("node"));
    }

    @Test
    void secretsAreKnownByTheirMetatypeTypeOrByTheirName() throws Exception {
        // 'token' is a Password in the test schema; no metatype at all for org.example.other: names decide
        for (String line : List.of("api.password=VALUE-p", "client.secret=VALUE-s", "bearer.token=VALUE-t", "private.key=/VALUE-k.pem")) {
            Outcome outcome = sync(Map.of()).fileChanged(write("org.example.other.cfg", line + "\n", "rw-rw-rw-"), WARN);
            assertEquals(Severity.ERROR, outcome.severity(), line);
            assertTrue(outcome.message().contains("the file holds the secret key '" + line.substring(0, line.indexOf('='))
                    + "' and every user may write it"), outcome.message());
            assertFalse(outcome.message().contains("VALUE"), outcome.message());
        }
        assertFalse(store.exists(ConfigTarget.singleton("org.example.other")));
    }

    @Test
    void aWorldWritableFileWithoutSecretValuesAndAGroupWritableOneWithASecretAreApplied() throws Exception {
        Outcome plain = sync(Map.of()).fileChanged(write("io.ovnk.test.cfg", "node=n1\ntoken=\n", "rw-rw-rw-"), WARN);
        assertEquals(Severity.INFO, plain.severity(), "an empty token is no secret: " + plain.message());
        Outcome group = sync(Map.of()).fileChanged(write("io.ovnk.test.cfg", "node=n1\ntoken=t\n", "rw-rw----"), WARN);
        assertEquals(Severity.INFO, group.severity(), group.message());
        assertEquals("t", store.get(PID).get("token"));
    }

    @Test
    void aWorldReadableFileWithASecretIsAppliedWithAWarningToChmodIt() throws Exception {
        Outcome outcome = sync(Map.of()).fileChanged(write("io.ovnk.test.cfg", "node=n1\ntoken=t\n", "rw-r--r--"), WARN);
        assertEquals(Severity.WARN, outcome.severity());
        assertEquals("etc/io.ovnk.test.cfg: applied to io.ovnk.test (2 keys), but the file holds the secret key "
                + "'token' and every user may read it (rw-r--r--); run 'chmod 600 etc/io.ovnk.test.cfg'", outcome.message());
        assertEquals("t", store.get(PID).get("token"));
    }

    private Path write(String name, String text, String mode) throws IOException {
        Path file = write(name, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(etc.resolve(name), text);
    }

    /** Config Admin as a map, counting writes. */
    static final class MemoryStore implements ConfigurationSync.Store {
        final Map<ConfigTarget, Map<String, Object>> configurations = new LinkedHashMap<>();
        int writes;
        boolean failing;

        Map<String, Object> get(ConfigTarget target) {
            return configurations.get(target);
        }

        @Override
        public boolean put(ConfigTarget target, Map<String, Object> properties) throws IOException {
            if (failing) {
                throw new IOException("persistence failed");
            }
            if (java.util.Objects.equals(normal(configurations.get(target)), normal(properties))) {
                return false;
            }
            configurations.put(target, new LinkedHashMap<>(properties));
            writes++;
            return true;
        }

        @Override
        public boolean delete(ConfigTarget target) {
            return configurations.remove(target) != null;
        }

        @Override
        public boolean exists(ConfigTarget target) {
            return configurations.containsKey(target);
        }

        private static Map<String, Object> normal(Map<String, Object> properties) {
            if (properties == null) {
                return null;
            }
            Map<String, Object> normal = new HashMap<>();
            properties.forEach((k, v) -> normal.put(k, v instanceof Object[] array ? List.of(array) : v));
            return normal;
        }
    }
}
