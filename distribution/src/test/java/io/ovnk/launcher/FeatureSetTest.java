package io.ovnk.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureSetTest {

    @TempDir
    Path dir;

    @Test
    void bundlesComeOnceInFeatureOrderWithTheirStartLevels() throws Exception {
        Path repo = dir.resolve("system");
        jar(repo, "org/example/a/1.0/a-1.0.jar");
        jar(repo, "org/example/b/2.0/b-2.0.jar");
        jar(repo, "org/example/c/3.0/c-3.0-tests.jar");
        feature("one", """
                {"bundles":[{"id":"org.example:a:1.0","start-order":"1"},{"id":"org.example:b:2.0","start-order":"3"}],
                 "framework-properties":{"x":"1","y":"1"}}""");
        feature("two", """
                {"bundles":[{"id":"org.example:b:2.0","start-order":"9"},"org.example:c:jar:tests:3.0"],
                 "framework-properties":{"y":"2"}}""");
        FeatureSet set = FeatureSet.read(dir, List.of("one", "two"), repo);
        List<FeatureSet.Entry> bundles = set.bundles();
        assertEquals(List.of("org.example:a:1.0", "org.example:b:2.0", "org.example:c:jar:tests:3.0"),
                bundles.stream().map(e -> e.ref().id()).toList());
        assertEquals(List.of(1, 3, 20), bundles.stream().map(FeatureSet.Entry::startLevel).toList());
        assertEquals(repo.resolve("org/example/c/3.0/c-3.0-tests.jar"), bundles.get(2).jar());
        assertEquals(Map.of("x", "1", "y", "2"), set.frameworkProperties());
    }

    @Test
    void aBundleMissingFromTheRepositoryIsNamedWithItsFeature() throws Exception {
        feature("one", "{\"bundles\":[{\"id\":\"org.example:gone:1.0\",\"start-order\":\"1\"}]}");
        LaunchException e = assertThrows(LaunchException.class,
                () -> FeatureSet.read(dir, List.of("one"), dir.resolve("system")).bundles());
        assertTrue(e.getMessage().startsWith("feature one: bundle org.example:gone:1.0 is not in "), e.getMessage());
    }

    @Test
    void malformedFeaturesAreRefusedNamingTheFeatureAndField() throws Exception {
        feature("bad", "{\"bundles\":[{\"start-order\":\"1\"}]}");
        assertEquals("feature bad: bundles[0] has no \"id\"", assertThrows(LaunchException.class,
                () -> FeatureSet.read(dir, List.of("bad"), dir)).getMessage());
        feature("order", "{\"bundles\":[{\"id\":\"a:b:1\",\"start-order\":\"soon\"}]}");
        assertEquals("feature order: bundles[0]: \"start-order\" is not a number", assertThrows(LaunchException.class,
                () -> FeatureSet.read(dir, List.of("order"), dir)).getMessage());
        feature("id", "{\"bundles\":[{\"id\":\"just-a-name\"}]}");
        assertEquals("feature id: bundles[0]: id \"just-a-name\" is not group:artifact[:type[:classifier]]:version",
                assertThrows(LaunchException.class, () -> FeatureSet.read(dir, List.of("id"), dir)).getMessage());
        feature("json", "{\"bundles\":[");
        assertTrue(assertThrows(LaunchException.class, () -> FeatureSet.read(dir, List.of("json"), dir)).getMessage()
                .startsWith("feature json: "));
        assertTrue(assertThrows(LaunchException.class, () -> FeatureSet.read(dir, List.of("absent"), dir)).getMessage()
                .startsWith("feature absent: no file "));
    }

    @Test
    void placeholdersResolveFromPropertiesAndRefuseUnknownNames() throws Exception {
        assertEquals(Map.of("a", "/x/deploy", "home", "/x"),
                FrameworkProperties.resolve(new java.util.LinkedHashMap<>(Map.of("a", "${home}/deploy", "home", "/x"))));
        LaunchException e = assertThrows(LaunchException.class,
                () -> FrameworkProperties.resolve(Map.of("a", "${nowhere.defined}")));
        assertEquals("framework property a: ${nowhere.defined} is not defined", e.getMessage());
        e = assertThrows(LaunchException.class, () -> FrameworkProperties.resolve(Map.of("a", "${b}", "b", "${a}")));
        assertTrue(e.getMessage().contains("nest too deep"), e.getMessage());
    }

    private void feature(String name, String json) throws Exception {
        Files.writeString(dir.resolve(name + ".json"), json);
    }

    private static void jar(Path repo, String path) throws Exception {
        Path jar = repo.resolve(path);
        Files.createDirectories(jar.getParent());
        Files.write(jar, new byte[0]);
    }
}
