package io.ovnk.ovnstack;

import java.nio.file.Path;

/**
 * A running OVSDB database and where to reach it.
 *
 * @param name the schema name ({@code OVN_Northbound}, {@code OVN_Southbound}, {@code Open_vSwitch})
 * @param socket the unix socket
 * @param tcpPort the TCP port on 127.0.0.1, or 0 where the server listens on the socket only
 */
public record Database(String name, Path socket, int tcpPort) {

    public String unixRemote() {
        return "unix:" + socket;
    }

    public String tcpRemote() {
        if (tcpPort == 0) {
            throw new IllegalStateException(name + " listens on " + socket + " only");
        }
        return "tcp:127.0.0.1:" + tcpPort;
    }
}
