package io.ovnk.launcher;

import java.nio.file.Path;

/**
 * The directories of an unpacked distribution.
 *
 * @param home the directory holding bin/, conf/, system/, features/, etc/, deploy/, log/
 */
public record Distribution(Path home) {

    public Distribution {
        home = home.toAbsolutePath().normalize();
    }

    public Path conf() {
        return home.resolve("conf");
    }

    public Path etc() {
        return home.resolve("etc");
    }

    public Path system() {
        return home.resolve("system");
    }

    public Path features() {
        return home.resolve("features");
    }

    public Path deploy() {
        return home.resolve("deploy");
    }

    public Path log() {
        return home.resolve("log");
    }

    /** Run-time state that is rebuilt at every start (framework cache, sandbox stack). */
    public Path data() {
        return home.resolve("data");
    }

    public Path feature(String name) {
        return features().resolve(name + ".json");
    }

    /** A path as messages show it: relative to the home when inside it. */
    public String display(Path path) {
        Path normal = path.toAbsolutePath().normalize();
        return normal.startsWith(home) ? home.relativize(normal).toString() : normal.toString();
    }
}
