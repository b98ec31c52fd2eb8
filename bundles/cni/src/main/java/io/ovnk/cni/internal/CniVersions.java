package io.ovnk.cni.internal;

import java.util.List;

/** The CNI spec versions this plugin speaks, oldest first, and how they compare. */
final class CniVersions {

    static final String CURRENT = "1.1.0";
    static final List<String> SUPPORTED = List.of("0.3.1", "0.4.0", "1.0.0", "1.1.0");

    private CniVersions() {
    }

    static boolean supported(String version) {
        return SUPPORTED.contains(version);
    }

    /** Whether a supported {@code version} is {@code minimum} or newer. */
    static boolean atLeast(String version, String minimum) {
        return SUPPORTED.indexOf(version) >= SUPPORTED.indexOf(minimum);
    }

    /** Results before 1.0.0 carry {@code "version":"4"|"6"} in each IP entry. */
    static boolean ipsCarryVersion(String version) {
        return !atLeast(version, "1.0.0");
    }
}
