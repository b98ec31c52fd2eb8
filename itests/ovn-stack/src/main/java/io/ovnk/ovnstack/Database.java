package io.ovnk.ovnstack;

import java.nio.file.Path;

/**
 * A running OVSDB database and where to reach it.
 *
 * @param name the schema name ({@code OVN_Northbound}, {@code OVN_Southbound}, {@code Open_vSwitch})
 * @param socket the unix socket
 * @param tcpPort the TCP port on 127.0.0.1, or 0 where the server listens on the socket only
 * @param sslPort the SSL port on 127.0.0.1, or 0 where the stack was started without {@code ssl(Pki)}
 */
public record Database(String name, Path socket, int tcpPort, int sslPort) {

    public Database(String name, Path socket, int tcpPort) {
        this(name, socket, tcpPort, 0);
    }

    public String unixRemote() {
        return "unix:" + socket;
    }

    public String tcpRemote() {
        if (tcpPort == 0) {
            throw new IllegalStateException(name + " listens on " + socket + " only");
        }
        return "tcp:127.0.0.1:" + tcpPort;
    }

    /** {@code ssl:127.0.0.1:PORT}, where clients need a certificate signed by the stack's {@link Pki}. */
    public String sslRemote() {
        if (sslPort == 0) {
            throw new IllegalStateException(name + " does not listen for SSL: start the stack with ssl(pki)");
        }
        return "ssl:127.0.0.1:" + sslPort;
    }
}
