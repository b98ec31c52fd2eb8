package io.ovnk.ovsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteTest {

    @Test
    void theThreeFormsAndListsParse() {
        assertEquals(new Remote(Remote.Transport.TCP, "10.0.0.1", 6641, null), Remote.parse("tcp:10.0.0.1:6641"));
        assertEquals(new Remote(Remote.Transport.SSL, "::1", 6642, null), Remote.parse("ssl:[::1]:6642"));
        assertEquals(new Remote(Remote.Transport.UNIX, null, 0, Path.of("/var/run/ovn/ovnnb_db.sock")),
                Remote.parse("unix:/var/run/ovn/ovnnb_db.sock"));
        assertEquals(List.of(Remote.parse("tcp:a:1"), Remote.parse("tcp:b:2")), Remote.parseList("tcp:a:1, tcp:b:2,"));
        assertEquals("ssl:[::1]:6642", Remote.parse("ssl:[::1]:6642").toString());
        assertEquals(Remote.parse("tcp:10.0.0.1:6641"), Remote.parse("tcp://10.0.0.1:6641"), "the seed's URL form");
    }

    @Test
    void malformedRemotesAreNamedWithTheReason() {
        assertEquals("remote \"http:x:1\": unknown transport \"http\" (tcp, ssl, unix)", message("http:x:1"));
        assertEquals("remote \"tcp:host\" has no port (tcp:HOST:PORT)", message("tcp:host"));
        assertEquals("remote \"tcp:host:70000\": port 70000 is not within 1..65535", message("tcp:host:70000"));
        assertEquals("remote \"tcp:::1:6641\": write an IPv6 address in brackets", message("tcp:::1:6641"));
        assertEquals("remote \"unix:\" has no socket path", message("unix:"));
        assertEquals("no remote in \" , \"", assertThrows(IllegalArgumentException.class, () -> Remote.parseList(" , ")).getMessage());
    }

    @Test
    void configurationsRefuseWhatCannotWork() {
        assertEquals("remotes: ssl: remotes need a private key, certificate and CA certificate",
                assertThrows(IllegalArgumentException.class, () -> OvsdbClientConfig.of("OVN_Northbound", "ssl:a:1")).getMessage());
        assertEquals("database: a name is required",
                assertThrows(IllegalArgumentException.class, () -> OvsdbClientConfig.of(" ", "tcp:a:1")).getMessage());
        assertEquals("maxFrameBytes: 10 is below 1024", assertThrows(IllegalArgumentException.class,
                () -> OvsdbClientConfig.of("X", "tcp:a:1").withMaxFrameBytes(10)).getMessage());
    }

    private static String message(String remote) {
        return assertThrows(IllegalArgumentException.class, () -> Remote.parse(remote)).getMessage();
    }
}
