package io.ovnk.launcher.flags;

import io.ovnk.launcher.LaunchException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The flags' configuration for one run, handed to the runtime bundle as a file it reads once
 * ({@code data/flags.json}, framework property {@code ovnk.flags}). Owner-only (0600): it may hold a token.
 * Removed when the run ends; never under etc/.
 * <pre>
 * { "flags":   { "io.ovnk.ipam": { "cluster.subnets": { "value": ["10.1.0.0/16"], "origin": "flag -cluster-subnet" } } },
 *   "implied": { "io.ovnk.ovsdb.connection~ovs": { "remotes": { "value": "unix:...", "origin": "flag -init-node" } } } }
 * </pre>
 */
public final class RunLayerFile {

    public static final String PROPERTY = "ovnk.flags";
    public static final String NAME = "flags.json";

    private RunLayerFile() {
    }

    public static String json(RunConfiguration run) {
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode root = mapper.createObjectNode();
        layer(root.putObject("flags"), run.flags());
        layer(root.putObject("implied"), run.implied());
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static void layer(ObjectNode layer, List<Setting> settings) {
        for (Setting setting : settings) {
            ObjectNode pid = layer.has(setting.pid()) ? (ObjectNode) layer.get(setting.pid()) : layer.putObject(setting.pid());
            ObjectNode entry = pid.putObject(setting.key());
            if (setting.value() instanceof List<?> list) {
                ArrayNode array = entry.putArray("value");
                list.forEach(item -> array.add(String.valueOf(item)));
            } else {
                entry.put("value", (String) setting.value());
            }
            entry.put("origin", setting.origin());
        }
    }

    /** Writes the file owner-only, replacing any earlier one at once; returns its path. */
    public static Path write(Path dataDir, RunConfiguration run) throws LaunchException {
        Path file = dataDir.resolve(NAME);
        try {
            Files.createDirectories(dataDir);
            Path temporary = dataDir.resolve("." + NAME + ".tmp");
            Files.deleteIfExists(temporary);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(temporary);
            }
            Files.writeString(temporary, json(run));
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (IOException e) {
            throw new LaunchException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes the file of an earlier run or of this one (at stop): a token does not stay on disk. */
    public static void remove(Path dataDir) {
        try {
            Files.deleteIfExists(dataDir.resolve(NAME));
        } catch (IOException e) {
            System.err.println("ovnkube: cannot remove " + dataDir.resolve(NAME) + ": " + e.getMessage());
        }
    }
}
