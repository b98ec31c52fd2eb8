package io.ovnk.runtime.internal.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileReaderTest {

    @TempDir
    Path dir;

    @Test
    void cfgValuesAreStringsInFileOrder() throws Exception {
        Path file = write("io.ovnk.ipam.cfg", "# comment\ncluster.subnets = 10.128.0.0/14/23, fd00::/48/64\nnode=n1\n");
        Map<String, Object> properties = ConfigFileReader.read(file, 1024);
        assertEquals(Map.of("cluster.subnets", "10.128.0.0/14/23, fd00::/48/64", "node", "n1"), properties);
        assertEquals("cluster.subnets", properties.keySet().iterator().next());
    }

    @Test
    void aKeySetTwiceIsAnErrorNamingTheKey() throws Exception {
        Path file = write("x.cfg", "a=1\nb=2\na=3\n");
        ConfigFileException e = assertThrows(ConfigFileException.class, () -> ConfigFileReader.read(file, 1024));
        assertEquals("key 'a' is set more than once", e.getMessage());
    }

    @Test
    void aMalformedEscapeIsASyntaxError() throws Exception {
        Path file = write("x.cfg", "a=\\u12zz\n");
        ConfigFileException e = assertThrows(ConfigFileException.class, () -> ConfigFileReader.read(file, 1024));
        assertTrue(e.getMessage().startsWith("syntax error: Malformed"), e.getMessage());
    }

    @Test
    void binaryContentIsRefused() throws Exception {
        Path file = dir.resolve("x.cfg");
        Files.write(file, new byte[] { 'a', '=', (byte) 0xff, (byte) 0xfe, 0 });
        ConfigFileException e = assertThrows(ConfigFileException.class, () -> ConfigFileReader.read(file, 1024));
        assertEquals("is not UTF-8 text (binary file?)", e.getMessage());
    }

    @Test
    void aFileOverTheLimitIsRefusedUnread() throws Exception {
        Path file = write("x.cfg", "a=" + "x".repeat(2000));
        ConfigFileException e = assertThrows(ConfigFileException.class, () -> ConfigFileReader.read(file, 1000));
        assertTrue(e.getMessage().contains("larger than the limit of 1000"), e.getMessage());
    }

    @Test
    void configFilesAreTyped() throws Exception {
        Path file = write("x.config", "port=I\"6641\"\nenabled=B\"true\"\nremotes=[\"tcp:a:1\",\"tcp:b:2\"]\n");
        Map<String, Object> properties = ConfigFileReader.read(file, 1024);
        assertEquals(6641, properties.get("port"));
        assertEquals(Boolean.TRUE, properties.get("enabled"));
        assertArrayEquals(new String[] { "tcp:a:1", "tcp:b:2" }, (String[]) properties.get("remotes"));
    }

    @Test
    void aBrokenConfigFileIsASyntaxError() throws Exception {
        Path file = write("x.config", "port=I\"6641\n");
        ConfigFileException e = assertThrows(ConfigFileException.class, () -> ConfigFileReader.read(file, 1024));
        assertTrue(e.getMessage().startsWith("syntax error"), e.getMessage());
    }

    @Test
    void fileNamesGiveSingletonAndFactoryTargets() throws Exception {
        assertEquals(ConfigTarget.singleton("io.ovnk.ipam"), ConfigFileReader.targetOf(Path.of("io.ovnk.ipam.cfg")));
        ConfigTarget factory = ConfigFileReader.targetOf(Path.of("io.ovnk.ovsdb.connection~nb.config"));
        assertTrue(factory.isFactory());
        assertEquals("io.ovnk.ovsdb.connection", factory.factoryPid());
        assertEquals("nb", factory.name());
        assertEquals("io.ovnk.ovsdb.connection~nb", factory.pid());
        ConfigFileException e = assertThrows(ConfigFileException.class,
                () -> ConfigFileReader.targetOf(Path.of("bad name.cfg")));
        assertTrue(e.getMessage().contains("\"bad name\""), e.getMessage());
    }

    @Test
    void onlyVisibleCfgAndConfigFilesAreConfigFiles() {
        assertTrue(ConfigFileReader.isConfigFile(Path.of("etc/a.cfg")));
        assertTrue(ConfigFileReader.isConfigFile(Path.of("etc/a.config")));
        assertFalse(ConfigFileReader.isConfigFile(Path.of("etc/.a.cfg.swp")));
        assertFalse(ConfigFileReader.isConfigFile(Path.of("etc/.a.cfg")));
        assertFalse(ConfigFileReader.isConfigFile(Path.of("etc/a.cfg~")));
        assertFalse(ConfigFileReader.isConfigFile(Path.of("etc/logback.xml")));
        assertFalse(ConfigFileReader.isConfigFile(Path.of("etc/.cfg")));
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }
}
