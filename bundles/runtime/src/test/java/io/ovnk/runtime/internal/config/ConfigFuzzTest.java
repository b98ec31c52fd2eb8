package io.ovnk.runtime.internal.config;

import io.ovnk.fuzz.Fuzz;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.runtime.internal.config.ConfigSchema.Attribute;
import io.ovnk.runtime.internal.config.ConfigSchema.Type;
import io.ovnk.runtime.internal.config.ConfigurationSync.Outcome;
import io.ovnk.runtime.internal.config.ConfigurationSync.Settings;
import io.ovnk.runtime.internal.config.ConfigurationSync.Severity;
import io.ovnk.runtime.internal.config.ConfigurationSync.UnknownKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile etc/ files, in both formats (.cfg properties and the typed .config), against a schema of every metatype
 * type: each is applied whole or refused whole with one clear line naming the file (and the key, where a key is at
 * fault); a refused file leaves the previous configuration exactly as it was; the sync goes on applying good files.
 * Hostile flags.json (the run layer, JSON) gives problems naming the file, never an exception. Seeded: see
 * {@link Fuzz}.
 */
class ConfigFuzzTest {

    static final ConfigSchema SCHEMA = new ConfigSchema("io.ovnk.test", Map.of(
            "roles", new Attribute("roles", Type.STRING, Integer.MAX_VALUE, List.of(), false, true),
            "mode", new Attribute("mode", Type.STRING, 0, List.of("overlay", "underlay"), false, true),
            "mtu", new Attribute("mtu", Type.INTEGER, 0, List.of(), false, true),
            "timeout", new Attribute("timeout", Type.LONG, 0, List.of(), false, true),
            "ratio", new Attribute("ratio", Type.DOUBLE, 0, List.of(), false, true),
            "ports", new Attribute("ports", Type.SHORT, 3, List.of(), false, true),
            "token", new Attribute("token", Type.PASSWORD, 0, List.of(), false, false),
            "enabled", new Attribute("enabled", Type.BOOLEAN, 0, List.of(), false, true),
            "node", new Attribute("node", Type.STRING, 0, List.of(), true, false)));
    static final ConfigTarget PID = ConfigTarget.singleton("io.ovnk.test");
    static final Settings SETTINGS = new Settings(UnknownKeys.WARN, 1 << 20);

    @TempDir
    Path etc;

    final ConfigurationSyncTest.MemoryStore store = new ConfigurationSyncTest.MemoryStore();

    /** Lines a person, a broken tool or an attacker might write, per format. */
    static final List<String> CFG_LINES = List.of("mtu=1400", "mtu=abc", "mtu=99999999999999999999", "mtu=-2147483649",
            "mtu=1e3", "mtu=", "mtu = 1400 ", "mtu=0x10", "timeout=9223372036854775808", "ratio=NaN", "ratio=1e400",
            "ratio=0.5", "ports=1,2,3,4", "ports=1,70000", "ports=80", "enabled=yes", "enabled=TRUE", "mode=overlya",
            "mode=underlay", "roles=master, node", "roles=", "token=s3cret", "token=a,b", "node=n2", "node=",
            "node=../../../../etc/passwd", "node=/dev/zero", "../etc/passwd=1", "=value", "mtuu=1400",
            "service.ranking=5", "a\\nb=injected", "multi\\u000aline=1", "x=\\uZZZZ", "line=continued\\", "#comment",
            "!comment", "  ", "key\\=with\\:seps=1", "\u00e9t\u00e9=\u4e2d", "node=\u0000nul");
    static final List<String> CONFIG_LINES = List.of("node=\"n1\"", "mtu=I\"1400\"", "mtu=I\"abc\"",
            "mtu=L\"99999999999999999999\"", "timeout=L\"5\"", "enabled=B\"maybe\"", "enabled=B\"true\"",
            "roles=[\"a\",\"b\"]", "roles=[", "mtu=[I\"1\",I\"2\"]", "ports=[S\"1\",S\"2\",S\"3\",S\"4\"]", "node=(",
            "x=Q\"1\"", "node=T\"1\"", "ratio=D\"1e400\"", "mode=\"overlay\"", "node=\"\\u0000\"", "=\"v\"",
            "node=\"unterminated", "mtu=I\"1400\" trailing", "node=[\"a\",\"b\"]", "\"quoted key\"=\"v\"");

    @Test
    void hostileFilesAreAppliedWholeOrRefusedWholeWithOneClearLine() throws Exception {
        ConfigurationSync sync = new ConfigurationSync(etc, "etc", Map.of(), store,
                pid -> Optional.ofNullable(pid.equals("io.ovnk.test") ? SCHEMA : null));
        int[] counts = new int[2];
        int cases = Fuzz.run("config files", 600, fuzzCase -> {
            SplittableRandom random = fuzzCase.random;
            boolean typed = random.nextInt(3) == 0;
            String name = "io.ovnk.test" + (typed ? ".config" : ".cfg");
            byte[] content = content(random, typed);
            fuzzCase.input(name + ": " + new String(content, StandardCharsets.ISO_8859_1));
            Map<String, Object> before = store.get(PID) == null ? null : new LinkedHashMap<>(store.get(PID));
            Path file = Files.write(etc.resolve(name), content);
            try {
                Outcome outcome = sync.fileChanged(file, SETTINGS);
                String message = outcome.message();
                assertTrue(message.startsWith("etc/" + name + ": "), message);
                assertTrue(message.chars().noneMatch(c -> c == '\n' || c == '\r'), "one line: " + message);
                assertTrue(message.length() <= 2048, "a readable line, not " + message.length() + " characters");
                assertTrue(!message.contains("s3cret"), "never a secret: " + message);
                if (outcome.severity() == Severity.ERROR) {
                    assertEquals(before, store.get(PID), "refused whole: the previous configuration stays");
                    assertTrue(message.contains(": not applied: "), message);
                    counts[1]++;
                } else {
                    // applied whole: every key of the file is in the configuration
                    Map<String, Object> read = ConfigFileReader.read(file, SETTINGS.maxFileBytes());
                    assertTrue(store.get(PID).keySet().containsAll(read.keySet()), store.get(PID) + " lacks some of "
                            + read.keySet());
                    counts[0]++;
                }
            } finally {
                Files.delete(file);
            }
            if (random.nextInt(10) == 0) {
                // the sync goes on: a good file is applied after any bad one
                Path good = Files.writeString(etc.resolve("io.ovnk.test.cfg"), "node=good\nmtu=1500\n");
                assertTrue(sync.fileChanged(good, SETTINGS).severity() != Severity.ERROR);
                assertEquals("good", store.get(PID).get("node"));
                Files.delete(good);
            }
        });
        System.out.println("fuzz config files: " + cases + " files, " + counts[0] + " applied whole, " + counts[1]
                + " refused whole");
        assertTrue(counts[0] > 0 && counts[1] > 0, "both outcomes were exercised");
    }

    static byte[] content(SplittableRandom random, boolean typed) {
        if (random.nextInt(12) == 0) {
            return Fuzz.randomBytes(random, 4096);
        }
        List<String> pool = typed ? CONFIG_LINES : CFG_LINES;
        List<String> lines = new ArrayList<>();
        if (random.nextInt(4) != 0) {
            lines.add(typed ? "node=\"n1\"" : "node=n1");
        }
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            lines.add(pool.get(random.nextInt(pool.size())));
        }
        switch (random.nextInt(8)) {
            case 0 -> lines.add((typed ? "node=\"" : "node=") + "x".repeat(random.nextInt(900_000))
                    + (typed ? "\"" : ""));
            case 1 -> lines.add("k".repeat(random.nextInt(200_000)) + (typed ? "=\"1\"" : "=1"));
            case 2 -> lines.add(Fuzz.randomString(random, 80));
            case 3 -> lines.add(typed ? "mtu=I\"" + random.nextLong() + "\"" : "mtu=" + random.nextLong());
            default -> {
                // only lines from the pool
            }
        }
        java.util.Collections.shuffle(lines, new java.util.Random(random.nextLong()));
        return String.join(random.nextBoolean() ? "\n" : "\r\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void hostileFileNamesAreRefusedNamingTheFileNeverThrown() {
        Fuzz.run("config file names", 1000, fuzzCase -> {
            String stem = switch (fuzzCase.random.nextInt(4)) {
                case 0 -> Fuzz.randomString(fuzzCase.random, 40);
                case 1 -> "io.ovnk.x~" + Fuzz.randomString(fuzzCase.random, 10);
                case 2 -> "~".repeat(fuzzCase.random.nextInt(3)) + "a".repeat(fuzzCase.random.nextInt(300));
                default -> "io.ovnk." + "x".repeat(fuzzCase.random.nextInt(250));
            };
            String name = stem.replace('/', '_').replace("\u0000", "") + (fuzzCase.random.nextBoolean() ? ".cfg" : ".config");
            fuzzCase.input(name);
            Path file;
            try {
                file = Path.of(name);
            } catch (java.nio.file.InvalidPathException e) {
                return;
            }
            try {
                ConfigTarget target = ConfigFileReader.targetOf(file);
                assertTrue(target.pid().matches("[A-Za-z0-9_][A-Za-z0-9_.\\-]*(~[A-Za-z0-9_][A-Za-z0-9_.\\-]*)?"),
                        target.pid());
            } catch (ConfigFileException e) {
                assertTrue(e.getMessage().startsWith("file name: "), e.getMessage());
            }
        });
    }

    @Test
    void hostileFlagsFilesGiveProblemsNamingTheFileNeverExceptions() throws Exception {
        String valid = "{\"flags\":{\"io.ovnk.test\":{\"mtu\":{\"value\":\"1400\",\"origin\":\"flag -mtu\"}}},"
                + "\"implied\":{\"io.ovnk.ovsdb.connection~local\":{\"remotes\":{\"value\":[\"unix:/run/db.sock\"],"
                + "\"origin\":\"flag -init-node\"}}}}";
        Path file = etc.resolve("flags.json");
        Fuzz.run("flags.json", 1000, fuzzCase -> {
            SplittableRandom random = fuzzCase.random;
            String text = switch (random.nextInt(6)) {
                case 0 -> new String(Fuzz.randomBytes(random, 300), StandardCharsets.ISO_8859_1);
                case 1 -> valid.substring(0, random.nextInt(valid.length()));
                case 2 -> valid.replace("\"1400\"", Fuzz.randomJsonValue(random));
                case 3 -> valid.replace("\"flag -mtu\"", Fuzz.randomJsonValue(random));
                case 4 -> valid.replace("[\"unix:/run/db.sock\"]", "[" + Fuzz.randomJsonValue(random) + "]");
                default -> valid.replace("{\"mtu\":", "{\"mtu\":" + Fuzz.randomJsonValue(random) + ",\"mtu\":")
                        .replace("\"io.ovnk.test\"", Fuzz.quote(Fuzz.randomString(random, 12)));
            };
            fuzzCase.input(text);
            Files.writeString(file, text);
            RunLayer.Loaded loaded = RunLayer.read(file, "data/flags.json");
            for (String problem : loaded.problems()) {
                assertTrue(problem.startsWith("data/flags.json: "), problem);
            }
            // what was taken is what the file says: strings (or arrays of strings) with an origin
            for (RunLayer.Keys keys : loaded.flags().values()) {
                keys.properties().forEach((key, value) -> assertTrue(value instanceof String
                        || value instanceof String[], key + " = " + value));
                assertEquals(keys.properties().keySet(), keys.origins().keySet());
            }
        });
    }
}
