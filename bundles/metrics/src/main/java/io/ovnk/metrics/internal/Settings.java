package io.ovnk.metrics.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * What {@code io.ovnk.metrics} asks for, checked: a bad value is refused with a message naming the PID and the key,
 * before anything is bound or stopped.
 */
record Settings(boolean enabled, InetSocketAddress address) {

    static Settings of(boolean enabled, String bindAddress, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(MetricsComponent.PID + ": port " + port
                    + " is out of range (1-65535, or 0 for any free port)");
        }
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException(MetricsComponent.PID + ": bind.address is empty (an IP address to "
                    + "listen on, e.g. 127.0.0.1, or 0.0.0.0 for every interface)");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bindAddress.strip());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(MetricsComponent.PID + ": bind.address \"" + bindAddress
                    + "\" is not an address of this host: " + e.getMessage());
        }
        return new Settings(enabled, new InetSocketAddress(address, port));
    }

    /** The URL of /metrics as a person would type it. */
    static String url(InetSocketAddress bound, String path) {
        String host = bound.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + path;
    }
}
