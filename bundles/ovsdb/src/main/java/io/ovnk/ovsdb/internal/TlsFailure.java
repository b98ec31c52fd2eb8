package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.TlsFiles;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Says in a sentence why a TLS connection failed, naming the file to look at: JSSE's own messages
 * ({@code PKIX path building failed: ...SunCertPathBuilderException...}, {@code Received fatal alert: unknown_ca})
 * are exact but do not say which side refused what.
 */
final class TlsFailure {

    /** How Transport says that the server closed the connection instead of completing TLS: then the reason follows. */
    static final String CLOSED = "closed by the server ";

    private TlsFailure() {
    }

    static String describe(SSLException failure, TlsFiles files) {
        String message = String.valueOf(failure.getMessage());
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateExpiredException expired) {
                return "the server's certificate has expired (" + expired.getMessage() + "); the server must renew it";
            }
            if (cause instanceof CertificateNotYetValidException early) {
                return "the server's certificate is not valid yet (" + early.getMessage() + "); check both clocks";
            }
        }
        // no path to a trusted CA, or a CA of the same name (ovs-pki names them by the second) whose key did not sign
        if (message.contains("PKIX path building failed") || message.contains("signature check failed")) {
            return "unknown CA: the server's certificate is not signed by the CA in " + files.caCertificate()
                    + " (ca.certificate)";
        }
        if (message.contains("PKIX path validation failed")) {
            return "the server's certificate does not verify against the CA in " + files.caCertificate() + ": "
                    + message;
        }
        if (message.startsWith(CLOSED)) {
            // a TLS 1.3 server judges the client's certificate late; a reset can swallow its alert
            return "the server closed the connection " + message.substring(CLOSED.length()) + ", as it does when it "
                    + "refuses this client's certificate " + files.certificate() + ": check that its --ca-cert signed it";
        }
        if (message.startsWith("Received fatal alert: ")) {
            String alert = message.substring("Received fatal alert: ".length()).trim().toLowerCase(Locale.ROOT);
            return switch (alert) {
                // certificate_required: JSSE sends no certificate at all when its issuer is not one the server
                // named as accepted, and the TLS 1.3 server then says that it required one
                case "unknown_ca", "certificate_required" -> "the server refused this client's certificate "
                        + files.certificate() + ": unknown CA (not signed by a CA the server accepts) (" + alert + ")";
                case "certificate_expired" -> "the server refused this client's certificate " + files.certificate()
                        + ": expired";
                case "bad_certificate", "certificate_unknown", "unsupported_certificate", "certificate_revoked",
                        "access_denied", "decrypt_error" ->
                        "the server refused this client's certificate " + files.certificate() + " (" + alert + ")";
                default -> "the server ended the TLS handshake (" + alert + ")";
            };
        }
        return "TLS failed: " + message;
    }
}
