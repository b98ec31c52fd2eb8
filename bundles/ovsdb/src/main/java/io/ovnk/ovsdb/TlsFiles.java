package io.ovnk.ovsdb;

import java.nio.file.Path;

/**
 * The PEM files of an {@code ssl:} connection, as ovs-pki makes them and ovn-nbctl takes them
 * ({@code --private-key}, {@code --certificate}, {@code --ca-cert}).
 */
public record TlsFiles(Path privateKey, Path certificate, Path caCertificate) {
}
