package io.ovnk.itests.distribution;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Bundles made on the spot for deploy/ tests: a manifest is all a bundle needs to be installed and started. */
final class TestBundles {

    private TestBundles() {
    }

    /** A bundle; {@code importPackage} may be null, or name a package nothing exports to make it unresolvable. */
    static byte[] bundle(String symbolicName, String version, String importPackage) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", version);
        if (importPackage != null) {
            main.putValue("Import-Package", importPackage);
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            jar.flush();
        }
        return bytes.toByteArray();
    }

    /**
     * A new build of a real bundle: the same entries, with another Bundle-Version ({@code null}: the same) and, when
     * {@code marker} is not null, one more entry {@code OSGI-INF/rebuilt.txt} holding it (so the bytes differ).
     */
    static byte[] rebuilt(byte[] jar, String version, String marker) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            if (version != null) {
                manifest.getMainAttributes().putValue("Bundle-Version", version);
            }
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry entry; (entry = in.getNextJarEntry()) != null;) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
                if (marker != null) {
                    out.putNextEntry(new JarEntry("OSGI-INF/rebuilt.txt"));
                    out.write(marker.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    out.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }

    /** The Bundle-Version of a jar's manifest. */
    static String version(byte[] jar) throws IOException {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            return in.getManifest().getMainAttributes().getValue("Bundle-Version");
        }
    }
}
