package io.ovnk.ovsdb;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a client connects.
 *
 * @param database the database to use, e.g. {@code OVN_Northbound}
 * @param remotes where it may be served; tried in turn (with leader-only, until one leads)
 * @param tls the key, certificate and CA files for {@code ssl:} remotes
 * @param requestTimeout the default deadline of a request (connecting included)
 * @param connectTimeout how long one connection attempt may take
 * @param probeInterval after this long without hearing from the server, ask it (echo); drop the connection if
 *        it stays silent as long again. Zero disables probing.
 * @param maxBackoff the longest pause between reconnection attempts
 * @param leaderOnly for clustered databases: stay connected to the leader only
 * @param maxFrameBytes the largest message accepted from the server
 */
public record OvsdbClientConfig(String database, List<Remote> remotes, Optional<TlsFiles> tls, Duration requestTimeout,
        Duration connectTimeout, Duration probeInterval, Duration maxBackoff, boolean leaderOnly, long maxFrameBytes) {

    public OvsdbClientConfig {
        if (database == null || database.isBlank()) {
            throw new IllegalArgumentException("database: a name is required");
        }
        remotes = List.copyOf(remotes);
        if (remotes.isEmpty()) {
            throw new IllegalArgumentException("remotes: at least one is required");
        }
        if (tls.isEmpty() && remotes.stream().anyMatch(r -> r.transport() == Remote.Transport.SSL)) {
            throw new IllegalArgumentException("remotes: ssl: remotes need a private key, certificate and CA certificate");
        }
        requirePositive("requestTimeout", requestTimeout);
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("maxBackoff", maxBackoff);
        if (probeInterval.isNegative()) {
            throw new IllegalArgumentException("probeInterval: must not be negative");
        }
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " is below 1024");
        }
    }

    /** Defaults: 30 s requests, 5 s connect, 5 s probe (ovsdb-server's own), 8 s backoff cap, 256 MiB frames. */
    public static OvsdbClientConfig of(String database, List<Remote> remotes) {
        return new OvsdbClientConfig(database, remotes, Optional.empty(), Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofSeconds(5), Duration.ofSeconds(8), false, 256L << 20);
    }

    public static OvsdbClientConfig of(String database, String remotes) {
        return of(database, Remote.parseList(remotes));
    }

    /** With the TLS files that {@code ssl:} remotes need. */
    public static OvsdbClientConfig of(String database, String remotes, TlsFiles tls) {
        OvsdbClientConfig defaults = of(database, List.of(Remote.parse("unix:/")));
        return new OvsdbClientConfig(database, Remote.parseList(remotes), Optional.of(tls), defaults.requestTimeout(),
                defaults.connectTimeout(), defaults.probeInterval(), defaults.maxBackoff(), false,
                defaults.maxFrameBytes());
    }

    public OvsdbClientConfig withTls(TlsFiles files) {
        return new OvsdbClientConfig(database, remotes, Optional.of(files), requestTimeout, connectTimeout,
                probeInterval, maxBackoff, leaderOnly, maxFrameBytes);
    }

    public OvsdbClientConfig withRequestTimeout(Duration timeout) {
        return new OvsdbClientConfig(database, remotes, tls, timeout, connectTimeout, probeInterval, maxBackoff,
                leaderOnly, maxFrameBytes);
    }

    public OvsdbClientConfig withProbeInterval(Duration interval) {
        return new OvsdbClientConfig(database, remotes, tls, requestTimeout, connectTimeout, interval, maxBackoff,
                leaderOnly, maxFrameBytes);
    }

    public OvsdbClientConfig withMaxBackoff(Duration backoff) {
        return new OvsdbClientConfig(database, remotes, tls, requestTimeout, connectTimeout, probeInterval, backoff,
                leaderOnly, maxFrameBytes);
    }

    public OvsdbClientConfig withLeaderOnly(boolean only) {
        return new OvsdbClientConfig(database, remotes, tls, requestTimeout, connectTimeout, probeInterval, maxBackoff,
                only, maxFrameBytes);
    }

    public OvsdbClientConfig withMaxFrameBytes(long bytes) {
        return new OvsdbClientConfig(database, remotes, tls, requestTimeout, connectTimeout, probeInterval, maxBackoff,
                leaderOnly, bytes);
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + ": must be positive, not " + value);
        }
    }
}
