package io.ovnk.runtime.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.BundleContext;

/**
 * Where this ovnk process keeps its files, from the framework properties the launcher (or a test) sets.
 *
 * @param home the distribution's directory ({@code ovnk.home}; the working directory when unset)
 * @param etc the configuration directory ({@code ovnk.etc}; default {@code <home>/etc})
 * @param deploy the hot-deploy directory ({@code ovnk.deploy}; default {@code <home>/deploy})
 * @param features the feature files this process was started with ({@code ovnk.features}, comma-separated)
 */
public record RuntimePaths(Path home, Path etc, Path deploy, List<Path> features) {

    public static final String HOME = "ovnk.home";
    public static final String ETC = "ovnk.etc";
    public static final String DEPLOY = "ovnk.deploy";
    public static final String FEATURES = "ovnk.features";

    public RuntimePaths {
        features = List.copyOf(features);
    }

    public static RuntimePaths of(BundleContext context) {
        String homeProperty = context.getProperty(HOME);
        Path home = Path.of(homeProperty == null || homeProperty.isBlank() ? "." : homeProperty)
                .toAbsolutePath().normalize();
        Path etc = resolve(home, context.getProperty(ETC), "etc");
        Path deploy = resolve(home, context.getProperty(DEPLOY), "deploy");
        List<Path> features = new ArrayList<>();
        String listed = context.getProperty(FEATURES);
        if (listed != null) {
            for (String entry : listed.split(",")) {
                if (!entry.isBlank()) {
                    features.add(home.resolve(entry.trim()).normalize());
                }
            }
        }
        return new RuntimePaths(home, etc, deploy, features);
    }

    private static Path resolve(Path home, String value, String fallback) {
        return home.resolve(value == null || value.isBlank() ? fallback : value.trim()).normalize();
    }

    /** A path as a log line shows it: relative to the home when inside it ({@code etc/x.cfg}). */
    public String display(Path path) {
        Path normal = path.toAbsolutePath().normalize();
        return normal.startsWith(home) && !normal.equals(home) ? home.relativize(normal).toString() : normal.toString();
    }
}
