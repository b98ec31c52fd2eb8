package io.ovnk.runtime.internal.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureConfigurationsTest {

    @TempDir
    Path dir;

    @Test
    void configurationsAreReadWithTheirTypes() throws Exception {
        Path core = Files.writeString(dir.resolve("core.json"), """
                {"id":"io.ovnk:features:slingosgifeature:core:1",
                 "configurations":{
                   "io.ovnk.a":{"s":"text","n":42,"b":true,"list":["x","y"],"typed:Integer":"7"},
                   "io.ovnk.conn~nb":{"database":"OVN_Northbound"}}}
                """);
        FeatureConfigurations.Loaded loaded = FeatureConfigurations.read(List.of(core));
        assertEquals(List.of(), loaded.problems());
        Map<String, Object> a = loaded.defaults().get(ConfigTarget.singleton("io.ovnk.a")).properties();
        assertEquals("text", a.get("s"));
        assertEquals(42L, a.get("n"));
        assertEquals(Boolean.TRUE, a.get("b"));
        assertArrayEquals(new String[] { "x", "y" }, (String[]) a.get("list"));
        assertEquals(7, a.get("typed"));
        FeatureConfigurations.Defaults nb = loaded.defaults().get(ConfigTarget.factory("io.ovnk.conn", "nb"));
        assertEquals("core", nb.feature());
    }

    @Test
    void laterFeaturesOverrideKeysOfEarlierOnes() throws Exception {
        Path a = Files.writeString(dir.resolve("core.json"), "{\"configurations\":{\"p\":{\"x\":\"1\",\"y\":\"1\"}}}");
        Path b = Files.writeString(dir.resolve("node.json"), "{\"configurations\":{\"p\":{\"y\":\"2\"}}}");
        FeatureConfigurations.Defaults p = FeatureConfigurations.read(List.of(a, b)).defaults().get(ConfigTarget.singleton("p"));
        assertEquals(Map.of("x", "1", "y", "2"), p.properties());
        assertEquals("core+node", p.feature());
    }

    @Test
    void problemsNameFilePidAndStopOnlyThatConfiguration() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.json"), """
                {"configurations":{"ok":{"a":"1"},"nested":{"a":{"b":1}},"mixed":{"a":[1,"x"]},
                 "bad pid":{"a":"1"},"typed":{"n:Integer":"x"}}}
                """);
        Path broken = Files.writeString(dir.resolve("broken.json"), "{not json");
        FeatureConfigurations.Loaded loaded = FeatureConfigurations.read(List.of(bad, broken));
        assertEquals(1, loaded.defaults().size());
        List<String> problems = loaded.problems();
        assertEquals(5, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("bad.json: configuration nested: values must be strings"), problems.get(0));
        assertTrue(problems.get(1).startsWith("bad.json: configuration mixed: an array mixes Long and String"), problems.get(1));
        assertTrue(problems.get(2).startsWith("bad.json: configuration bad pid: PID \"bad pid\" is not valid"), problems.get(2));
        assertEquals("bad.json: configuration typed: \"x\" is not a Integer", problems.get(3));
        assertTrue(problems.get(4).contains("broken.json: cannot be read"), problems.get(4));
    }
}
