package io.ovnk.runtime.internal.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.runtime.internal.config.ConfigSchema.Attribute;
import io.ovnk.runtime.internal.config.ConfigSchema.Type;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValidatorTest {

    static final ConfigSchema SCHEMA = new ConfigSchema("io.ovnk.test", Map.of(
            "roles", new Attribute("roles", Type.STRING, Integer.MAX_VALUE, List.of(), false, true),
            "mode", new Attribute("mode", Type.STRING, 0, List.of("overlay", "underlay"), false, true),
            "mtu", new Attribute("mtu", Type.INTEGER, 0, List.of(), false, true),
            "token", new Attribute("token", Type.PASSWORD, 0, List.of(), false, false),
            "enabled", new Attribute("enabled", Type.BOOLEAN, 0, List.of(), false, true),
            "node", new Attribute("node", Type.STRING, 0, List.of(), true, false)));

    @Test
    void aValidConfigurationPassesAndListsAreSplit() {
        ConfigValidator.Result result = ConfigValidator.check(SCHEMA,
                Map.of("roles", "master, node", "mode", "overlay", "mtu", "1400", "enabled", "TRUE", "node", "n1"));
        assertTrue(result.valid(), result.errors().toString());
        assertArrayEquals(new String[] { "master", "node" }, (String[]) result.properties().get("roles"));
        assertEquals("1400", result.properties().get("mtu"));
    }

    @Test
    void eachWrongValueIsNamedWithItsKey() {
        ConfigValidator.Result result = ConfigValidator.check(SCHEMA,
                Map.of("mode", "overlya", "mtu", "14o0", "enabled", "yes", "node", "n1"));
        assertEquals(List.of("key 'enabled': \"yes\" is not a boolean (true or false)",
                "key 'mode': \"overlya\" is not one of overlay, underlay",
                "key 'mtu': \"14o0\" is not an integer (whole number up to 2147483647)"),
                result.errors().stream().sorted().toList());
    }

    @Test
    void aMissingRequiredKeyWithoutDefaultIsAnError() {
        ConfigValidator.Result result = ConfigValidator.check(SCHEMA, Map.of("mode", "overlay"));
        assertEquals(List.of("key 'node' is required"), result.errors());
    }

    @Test
    void secretsAreNeverShown() {
        ConfigValidator.Result result = ConfigValidator.check(SCHEMA,
                Map.of("token", new String[] { "s3cret", "other" }, "node", "n1"));
        assertEquals(List.of("key 'token' takes one value, not 2"), result.errors());
        assertEquals("the value", ConfigValidator.shown("api.token", null, "s3cret"));
        assertEquals("the value", ConfigValidator.shown("x", SCHEMA.attributes().get("token"), "s3cret"));
        assertEquals("the value", ConfigValidator.shown("private.key", null, "/etc/ovnk/pki/key.pem"));
        assertEquals("\"/etc/ovnk/pki/cert.pem\"", ConfigValidator.shown("certificate", null, "/etc/ovnk/pki/cert.pem"));
    }

    @Test
    void unknownKeysAreReportedWithTheClosestKnownKey() {
        ConfigValidator.Result result = ConfigValidator.check(SCHEMA,
                Map.of("role", "master", "completely.different", "x", "node", "n1", "service.ranking", "5",
                        "nb.target", "(x=y)", ".private", "p"));
        assertTrue(result.valid());
        assertEquals(List.of("unknown key 'completely.different'", "unknown key 'role' (did you mean 'roles'?)"),
                result.unknownKeys().stream().sorted().toList());
    }

    @Test
    void listsSplitOnCommasUnlessEscaped() {
        assertEquals(List.of("a", "b,c", "d"), ConfigValidator.splitList(" a, b\\,c ,d"));
        assertEquals(List.of(), ConfigValidator.splitList(""));
        assertEquals(List.of("a", ""), ConfigValidator.splitList("a,"));
    }

    @Test
    void longValuesAreCutInMessages() {
        String shown = ConfigValidator.shown("k", null, "x".repeat(500));
        assertEquals(82, shown.length());
        assertTrue(shown.endsWith("...\""));
    }

    @Test
    void keysAreShownOnOneLineAndCutWhateverTheFileHolds() {
        ConfigValidator.Result result = ConfigValidator.check(SCHEMA, Map.of("node", "n1", "evil\nINFO forged line", "1",
                "k".repeat(100_000), "2", "mtu\r", "3"));
        assertTrue(result.unknownKeys().stream().noneMatch(m -> m.contains("\n") || m.contains("\r")),
                result.unknownKeys().toString());
        assertTrue(result.unknownKeys().contains("unknown key 'evil\\u000aINFO forged line'"), result.unknownKeys().toString());
        assertTrue(result.unknownKeys().stream().allMatch(m -> m.length() < 200), "cut");
    }
}
