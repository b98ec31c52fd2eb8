package io.ovnk.itests.distribution;

import java.io.IOException;
import java.util.jar.Attributes;
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
}
