package io.ovnk.runtime.internal.deploy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

/**
 * Which installed bundle a jar dropped into {@code deploy/} replaces: the one with the jar's Bundle-SymbolicName that
 * the launcher installed from a feature (its location lies outside {@code deploy/}). Such a jar is an update of that
 * bundle, whatever its version: installing it beside the feature's bundle would run the same components twice (two
 * network modes, two masters). Plain Java, no OSGi types.
 */
final class ReplacedBundle {

    /** What the decision needs to know of an installed bundle. */
    record Installed(long id, String symbolicName, String version, String location) {
    }

    static final String FILEINSTALL = "org.apache.felix.fileinstall";

    private ReplacedBundle() {
    }

    /**
     * The installed bundle that a jar with {@code manifestSymbolicName} (the header as written, directives
     * included) replaces, or empty when the jar is a bundle of its own (FileInstall installs it).
     */
    static Optional<Installed> of(String manifestSymbolicName, Collection<Installed> installed, Path deploy) {
        if (manifestSymbolicName == null) {
            return Optional.empty();
        }
        String name = symbolicName(manifestSymbolicName);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Path deployDir = deploy.toAbsolutePath().normalize();
        return installed.stream()
                .filter(bundle -> bundle.id() != 0 && name.equals(bundle.symbolicName()))
                .filter(bundle -> !inside(bundle.location(), deployDir))
                .findFirst();
    }

    /**
     * Why a feature bundle cannot be updated through deploy/, or empty: the bundles that run deploy/ themselves
     * (FileInstall, which calls the update, and the runtime, which makes it) would be stopped under their own call.
     */
    static Optional<String> notUpdatable(Installed bundle, String runtimeSymbolicName) {
        if (FILEINSTALL.equals(bundle.symbolicName()) || bundle.symbolicName().equals(runtimeSymbolicName)) {
            return Optional.of(bundle.symbolicName() + " runs deploy/ itself and cannot be updated through it; "
                    + "replace its jar in system/ and restart");
        }
        return Optional.empty();
    }

    /** {@code io.ovnk.underlay;singleton:=true} is {@code io.ovnk.underlay}. */
    static String symbolicName(String header) {
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).strip();
    }

    private static boolean inside(String location, Path deploy) {
        if (location == null || !location.startsWith("file:")) {
            return false;
        }
        try {
            return Path.of(URI.create(location)).toAbsolutePath().normalize().startsWith(deploy);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
