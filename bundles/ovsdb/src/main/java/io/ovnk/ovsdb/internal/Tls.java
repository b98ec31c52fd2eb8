package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.TlsFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An SSLContext from the PEM files OVS uses: the client's private key (PKCS#8, or PKCS#1 RSA as older ovs-pki
 * writes it), its certificate, and the CA certificate the server's certificate must be signed by. Key material
 * is never logged; errors name the file, not its content.
 */
final class Tls {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private Tls() {
    }

    static SSLContext context(TlsFiles files) throws IOException {
        try {
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            List<Certificate> own = certificates(files.certificate());
            requireCurrent(files.certificate(), own.get(0));
            keys.setKeyEntry("ovnk", privateKey(files.privateKey()), password, own.toArray(Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);

            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int i = 0;
            for (Certificate ca : certificates(files.caCertificate())) {
                trusted.setCertificateEntry("ca" + i++, ca);
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);

            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS set-up from " + files.privateKey() + ", " + files.certificate() + ", "
                    + files.caCertificate() + " failed: " + e.getMessage(), e);
        }
    }

    /** The client's own certificate, checked here: the server would refuse it with a bare alert. */
    private static void requireCurrent(Path file, Certificate certificate) throws IOException {
        if (certificate instanceof java.security.cert.X509Certificate x509) {
            java.time.Instant now = java.time.Instant.now();
            if (now.isAfter(x509.getNotAfter().toInstant())) {
                throw new IOException(file + ": this client's certificate expired on " + x509.getNotAfter().toInstant()
                        + "; the server would refuse it: sign a new one (ovs-pki req+sign)");
            }
            if (now.isBefore(x509.getNotBefore().toInstant())) {
                throw new IOException(file + ": this client's certificate is valid only from "
                        + x509.getNotBefore().toInstant() + "; check the clock");
            }
        }
    }

    static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Collection<? extends Certificate> found;
        try (var in = Files.newInputStream(file)) {
            found = factory.generateCertificates(in);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not a PEM certificate file", e);
        }
        if (found.isEmpty()) {
            throw new IOException(file + ": holds no certificate");
        }
        return new ArrayList<>(found);
    }

    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher pem = PEM.matcher(text);
        while (pem.find()) {
            String type = pem.group(1);
            byte[] der = Base64.getMimeDecoder().decode(pem.group(2));
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(file, der);
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(file, wrapRsa(der));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException(file + ": the private key is encrypted; OVS "
                        + "takes unencrypted keys");
                default -> {
                    // e.g. EC PARAMETERS before the key: keep looking
                }
            }
        }
        throw new IOException(file + ": no PEM private key found");
    }

    private static PrivateKey pkcs8(Path file, byte[] der) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "DSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + ": the private key is not RSA, EC, Ed25519 or DSA");
    }

    /** PKCS#1 RSAPrivateKey wrapped as PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, the key as OCTET STRING). */
    static byte[] wrapRsa(byte[] pkcs1) {
        byte[] algorithm = { 0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
            0x01, 0x01, 0x05, 0x00 };
        byte[] version = { 0x02, 0x01, 0x00 };
        byte[] key = der(0x04, pkcs1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(version);
        body.writeBytes(algorithm);
        body.writeBytes(key);
        return der(0x30, body.toByteArray());
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            byte[] bytes = java.math.BigInteger.valueOf(length).toByteArray();
            int start = bytes[0] == 0 ? 1 : 0;
            out.write(0x80 | (bytes.length - start));
            out.write(bytes, start, bytes.length - start);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
