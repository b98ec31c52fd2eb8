package io.ovnk.runtime.internal.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.runtime.internal.config.ConfigurationSync.Outcome;
import io.ovnk.runtime.internal.config.ConfigurationSync.Severity;
import io.ovnk.runtime.internal.config.FeatureConfigurations.Defaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLayerTest {

    static final ConfigTarget PID = ConfigurationSyncTest.PID;
    static final ConfigTarget OVS = ConfigTarget.parse("io.ovnk.ovsdb.connection~ovs");

    @TempDir
    Path dir;

    final ConfigurationSyncTest.MemoryStore store = new ConfigurationSyncTest.MemoryStore();

    @Test
    void theLaunchersFileIsReadIntoTwoLayersWithOriginsPerKey() throws Exception {
        RunLayer.Loaded loaded = RunLayer.read(Files.writeString(dir.resolve("flags.json"), """
                {"flags": {"io.ovnk.test": {"node": {"value": "n1", "origin": "flag -init-node"},
                                            "roles": {"value": ["master", "node"], "origin": "flag -roles"}},
                           "bad~": {"x": {"value": "y", "origin": "flag -x"}}},
                 "implied": {"io.ovnk.ovsdb.connection~ovs": {"remotes": {"value": "unix:/s", "origin": "flag -init-node"},
                                                             "broken": {"value": 1}}}}"""), "data/flags.json");
        RunLayer.Keys keys = loaded.flags().get(PID);
        assertEquals("n1", keys.properties().get("node"));
        assertArrayEquals(new String[] { "master", "node" }, (String[]) keys.properties().get("roles"));
        assertEquals("flag -init-node + flag -roles", keys.origin());
        assertEquals(Map.of("remotes", "unix:/s"), loaded.implied().get(OVS).properties());
        assertEquals(List.of("data/flags.json: configuration bad~: factory configuration name \"\" is not valid "
                + "(letters, digits, '.', '_', '-')", "data/flags.json: io.ovnk.ovsdb.connection~ovs broken: needs a "
                + "string or array of strings \"value\" and a string \"origin\""), loaded.problems());
    }

    @Test
    void valuesOrOriginsOfAnotherTypeAndKeysGivenTwiceAreProblemsNotExceptions() throws Exception {
        RunLayer.Loaded loaded = RunLayer.read(Files.writeString(dir.resolve("flags.json"), """
                {"flags": {"io.ovnk.test": {"roles": {"value": [["master"], {}], "origin": "flag -roles"},
                                            "node": {"value": "n1", "origin": {"flag": 1}}}}}"""), "data/flags.json");
        assertEquals(Map.of(), loaded.flags().get(PID).properties());
        assertEquals(2, loaded.problems().size(), loaded.problems().toString());
        assertTrue(loaded.problems().get(0).startsWith("data/flags.json: io.ovnk.test roles: "), loaded.problems().toString());
        RunLayer.Loaded twice = RunLayer.read(Files.writeString(dir.resolve("flags.json"),
                "{\"flags\": {}, \"flags\": {}}"), "data/flags.json");
        assertTrue(twice.problems().get(0).startsWith("data/flags.json: cannot be read: ")
                && twice.problems().get(0).contains("flags"), twice.problems().toString());
        assertEquals(List.of("data/flags.json: expected a JSON object; the flags of this run are not applied"),
                RunLayer.read(Files.writeString(dir.resolve("flags.json"), "[]"), "data/flags.json").problems());
    }

    @Test
    void anUnreadableFileIsOneProblemAndNoLayer() throws Exception {
        RunLayer.Loaded loaded = RunLayer.read(Files.writeString(dir.resolve("flags.json"), "{nope"), "data/flags.json");
        assertTrue(loaded.flags().isEmpty() && loaded.implied().isEmpty());
        assertTrue(loaded.problems().get(0).startsWith("data/flags.json: cannot be read: "), loaded.problems().toString());
    }

    @Test
    void impliedKeysLieOverFeatureDefaultsAndNameBothOrigins() {
        Map<ConfigTarget, Defaults> merged = RunLayer.under(Map.of(PID, new Defaults("master", Map.of("mtu", 1500L))),
                Map.of(PID, keys("node", "n1", "flag -init-node"), OVS, keys("remotes", "unix:/s", "flag -init-node")));
        assertEquals(new Defaults("master + flag -init-node", Map.of("mtu", 1500L, "node", "n1")), merged.get(PID));
        assertEquals(new Defaults("flag -init-node", Map.of("remotes", "unix:/s")), merged.get(OVS));
    }

    @Test
    void aFlagWinsOverTheEtcFileForThisRunAndTheFileSaysSo() throws Exception {
        ConfigurationSync sync = sync(Map.of(PID, new Defaults("core", Map.of("mtu", 1500L, "node", "n0"))),
                Map.of(PID, keys("mtu", "1400", "flag -mtu")));
        Path file = Files.writeString(dir.resolve("io.ovnk.test.cfg"), "node=n1\nmtu=9000\n");
        Outcome outcome = sync.fileChanged(file, ConfigurationSyncTest.WARN);
        assertEquals(Severity.INFO, outcome.severity());
        assertEquals("etc/io.ovnk.test.cfg: applied to io.ovnk.test (2 keys); for this run flag -mtu wins over its "
                + "key 'mtu'", outcome.message());
        assertEquals("1400", store.get(PID).get("mtu"));
        assertEquals("feature core + etc/io.ovnk.test.cfg + flag -mtu", store.get(PID).get(ConfigurationSync.ORIGIN));

        // etc/ stays live for the keys no flag sets
        Files.writeString(file, "node=n2\nmtu=9000\n");
        sync.fileChanged(file, ConfigurationSyncTest.WARN);
        assertEquals("n2", store.get(PID).get("node"));
        assertEquals("1400", store.get(PID).get("mtu"));

        Files.delete(file);
        Outcome deleted = sync.fileDeleted(file, ConfigurationSyncTest.WARN);
        assertEquals("etc/io.ovnk.test.cfg: deleted; io.ovnk.test reverted to the defaults of feature core and the "
                + "flags of this run (flag -mtu)", deleted.message());
        assertEquals("1400", store.get(PID).get("mtu"));
        assertEquals("feature core + flag -mtu", store.get(PID).get(ConfigurationSync.ORIGIN));
    }

    @Test
    void aConfigurationOnlyFlagsSetIsAppliedWithoutAFileAndCheckedAgainstMetatype() throws Exception {
        ConfigurationSync sync = sync(Map.of(), Map.of(PID, keys("node", "n1", "flag -init-node")));
        List<Outcome> outcomes = sync.applyAll(ConfigurationSyncTest.WARN);
        assertEquals(List.of("flag -init-node: configuration applied to io.ovnk.test"),
                outcomes.stream().map(Outcome::message).toList());
        assertEquals("n1", store.get(PID).get("node"));

        ConfigurationSync bad = sync(Map.of(), Map.of(PID, keys("mtu", "lots", "flag -mtu")));
        Outcome refused = bad.applyAll(ConfigurationSyncTest.WARN).get(0);
        assertEquals(Severity.ERROR, refused.severity());
        assertTrue(refused.message().startsWith("flag -mtu: configuration io.ovnk.test not applied: key 'mtu': \"lots\" "
                + "is not an integer"), refused.message());
    }

    private ConfigurationSync sync(Map<ConfigTarget, Defaults> defaults, Map<ConfigTarget, RunLayer.Keys> flags) {
        return new ConfigurationSync(dir, "etc", defaults, flags, store,
                pid -> Optional.ofNullable(pid.equals("io.ovnk.test") ? ConfigValidatorTest.SCHEMA : null));
    }

    private static RunLayer.Keys keys(String key, Object value, String origin) {
        return new RunLayer.Keys(Map.of(key, value), Map.of(key, origin));
    }
}
