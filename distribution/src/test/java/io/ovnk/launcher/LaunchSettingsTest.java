package io.ovnk.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchSettingsTest {

    @TempDir
    Path dir;

    @Test
    void rolesModeAndExtrasSelectTheFeaturesInStartOrder() throws Exception {
        LaunchSettings settings = read("roles = node\nmode = underlay\nfeatures = gateway\n");
        assertEquals(List.of("platform", "core", "node", "underlay", "gateway"), settings.features());
    }

    @Test
    void aMissingFileMeansBothRolesInOverlay() throws Exception {
        LaunchSettings settings = LaunchSettings.read(dir.resolve("absent.cfg"), "etc/absent.cfg");
        assertEquals(List.of("platform", "core", "master", "node", "overlay"), settings.features());
    }

    @Test
    void badValuesAreRefusedNamingFileAndKey() {
        assertEquals("etc/l.cfg: key 'roles': \"mastr\" is not a role (master, node)",
                assertThrows(LaunchException.class, () -> read("roles = mastr\n")).getMessage());
        assertEquals("etc/l.cfg: key 'mode': \"overlya\" is not a mode (overlay, underlay)",
                assertThrows(LaunchException.class, () -> read("mode = overlya\n")).getMessage());
        assertEquals("etc/l.cfg: key 'roles' is empty; give master, node or both",
                assertThrows(LaunchException.class, () -> read("roles = ,\n")).getMessage());
        assertEquals("etc/l.cfg: unknown key 'role' (known: roles, mode, features)",
                assertThrows(LaunchException.class, () -> read("role = master\n")).getMessage());
    }

    private LaunchSettings read(String text) throws Exception {
        Path file = Files.writeString(dir.resolve("l.cfg"), text);
        return LaunchSettings.read(file, "etc/l.cfg");
    }
}
