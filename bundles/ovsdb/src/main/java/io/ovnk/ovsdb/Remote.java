package io.ovnk.ovsdb;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an OVSDB server listens, in the form the OVS tools write: {@code tcp:HOST:PORT}, {@code ssl:HOST:PORT}
 * ({@code [v6addr]} for IPv6) or {@code unix:PATH}; the URL form {@code tcp://HOST:PORT} of ovn-kubernetes' flags is
 * read as well.
 *
 * @param transport how to connect
 * @param host the host for tcp and ssl, null for unix
 * @param port the port for tcp and ssl, 0 for unix
 * @param path the socket for unix, null otherwise
 */
public record Remote(Transport transport, String host, int port, Path path) {

    public enum Transport {
        TCP, SSL, UNIX
    }

    public Remote {
        if (transport == Transport.UNIX ? path == null : host == null || port < 1 || port > 65535) {
            throw new IllegalArgumentException("incomplete remote " + transport + " " + host + " " + port + " " + path);
        }
    }

    /**
     * Parses one remote.
     *
     * @throws IllegalArgumentException naming the remote and what is wrong with it
     */
    public static Remote parse(String text) {
        String remote = text.strip();
        int colon = remote.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("remote \"" + text + "\" is not tcp:HOST:PORT, ssl:HOST:PORT or unix:PATH");
        }
        String scheme = remote.substring(0, colon);
        String rest = remote.substring(colon + 1);
        switch (scheme) {
            case "unix" -> {
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException("remote \"" + text + "\" has no socket path");
                }
                return new Remote(Transport.UNIX, null, 0, Path.of(rest));
            }
            case "tcp", "ssl" -> {
                if (rest.startsWith("//")) {
                    rest = rest.substring(2); // the URL form of the seed's flags: tcp://HOST:PORT
                }
                int split = rest.lastIndexOf(':');
                if (split <= 0) {
                    throw new IllegalArgumentException("remote \"" + text + "\" has no port (" + scheme + ":HOST:PORT)");
                }
                String host = rest.substring(0, split);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                } else if (host.contains(":")) {
                    throw new IllegalArgumentException("remote \"" + text + "\": write an IPv6 address in brackets");
                }
                int port;
                try {
                    port = Integer.parseInt(rest.substring(split + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("remote \"" + text + "\": port \"" + rest.substring(split + 1)
                            + "\" is not a number");
                }
                if (port < 1 || port > 65535 || host.isEmpty()) {
                    throw new IllegalArgumentException("remote \"" + text + "\": " + (host.isEmpty() ? "no host"
                            : "port " + port + " is not within 1..65535"));
                }
                return new Remote(scheme.equals("tcp") ? Transport.TCP : Transport.SSL, host, port, null);
            }
            default -> throw new IllegalArgumentException("remote \"" + text + "\": unknown transport \"" + scheme
                    + "\" (tcp, ssl, unix)");
        }
    }

    /** Parses a comma-separated list, as ovn-nbctl --db takes it. */
    public static List<Remote> parseList(String text) {
        List<Remote> remotes = new ArrayList<>();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                remotes.add(parse(item));
            }
        }
        if (remotes.isEmpty()) {
            throw new IllegalArgumentException("no remote in \"" + text + "\"");
        }
        return List.copyOf(remotes);
    }

    @Override
    public String toString() {
        return switch (transport) {
            case UNIX -> "unix:" + path;
            case TCP, SSL -> transport.name().toLowerCase() + ":" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        };
    }
}
