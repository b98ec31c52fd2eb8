package io.ovnk.launcher.flags;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks and normalises flag values. Each method throws {@link IllegalArgumentException} with a reason that
 * completes "{@code -flag: "value" }..." ({@code is not a CIDR (prefix length 33 is more than 32)}).
 */
final class FlagValues {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    /** A host name as DNS has it (RFC 1123 labels). */
    private static final Pattern HOST_NAME =
            Pattern.compile("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    /** A Kubernetes object name (Node names are DNS subdomains). */
    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private FlagValues() {
    }

    /** Comma-separated items, trimmed; an empty item is an error. */
    static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        for (String item : value.split(",", -1)) {
            if (item.isBlank()) {
                throw new IllegalArgumentException("has an empty item in its comma-separated list");
            }
            items.add(item.strip());
        }
        return items;
    }

    static boolean bool(String value) {
        return switch (value) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw new IllegalArgumentException("is not a boolean (true or false)");
        };
    }

    static int integer(String value, int min, int max) {
        int number;
        try {
            number = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not a whole number");
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException("is outside " + min + "-" + max);
        }
        return number;
    }

    /** A network interface name as Linux takes it: 1-15 characters, no '/', ':' or white space. */
    static String interfaceName(String value) {
        if (value.isEmpty() || value.length() > 15 || value.chars().anyMatch(c -> c == '/' || c == ':' || c <= ' ')
                || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException("is not an interface name (1-15 characters, no '/', ':' or spaces)");
        }
        return value;
    }

    static String nodeName(String value) {
        if (!NODE_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("is not a Kubernetes Node name (lower-case letters, digits, '-' and '.')");
        }
        return value;
    }

    static String choice(String value, List<String> options) {
        if (!options.contains(value)) {
            throw new IllegalArgumentException("is not one of " + String.join(", ", options));
        }
        return value;
    }

    /** An http or https URL with a host, as the API server's address. */
    static String url(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("is not an http:// or https:// URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("has no host");
        }
        if (uri.getPort() > 65535) {
            throw new IllegalArgumentException("has port " + uri.getPort() + ", above 65535");
        }
        return value;
    }

    static String path(String value) {
        if (value.isBlank() || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("is not a file path");
        }
        return value;
    }

    /** An IPv4 or IPv6 address, as written (never resolved: a name would be looked up). */
    static String ip(String value) {
        address(value);
        return value;
    }

    /** A CIDR; with {@code hostPrefix}, optionally followed by {@code /hostPrefix} as ovn-kubernetes writes cluster subnets. */
    static String cidr(String value, boolean hostPrefix) {
        String[] parts = value.split("/", -1);
        if (parts.length < 2 || parts.length > (hostPrefix ? 3 : 2)) {
            throw new IllegalArgumentException("is not a CIDR (ADDRESS/PREFIX" + (hostPrefix ? "[/HOSTPREFIX]" : "") + ")");
        }
        byte[] address;
        try {
            address = address(parts[0]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a CIDR (" + parts[0] + " " + e.getMessage() + ")");
        }
        int bits = address.length * 8;
        int prefix = prefix(parts[1], bits, "prefix length");
        BigInteger host = new BigInteger(1, address).and(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
        if (host.signum() != 0) {
            throw new IllegalArgumentException("is not a network: host bits are set");
        }
        if (parts.length == 3) {
            int hostLength = prefix(parts[2], bits, "host prefix");
            if (hostLength <= prefix) {
                throw new IllegalArgumentException("has host prefix /" + hostLength + ", which must be longer than /" + prefix);
            }
        }
        return value;
    }

    private static int prefix(String text, int bits, String what) {
        int prefix;
        try {
            prefix = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("is not a CIDR (" + what + " \"" + text + "\" is not a number)");
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("is not a CIDR (" + what + " " + prefix + " is more than " + bits + ")");
        }
        return prefix;
    }

    private static byte[] address(String text) {
        boolean v4 = IPV4.matcher(text).matches();
        if (!v4 && !IPV6.matcher(text).matches()) {
            throw new IllegalArgumentException("is not an IP address");
        }
        if (v4) {
            for (String octet : text.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("is not an IP address (" + octet + " is above 255)");
                }
            }
        }
        try {
            return InetAddress.getByName(text).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("is not an IP address");
        }
    }

    /** The scheme of an OVSDB address: tcp, ssl or unix. */
    static String scheme(String remote) {
        return remote.substring(0, remote.indexOf(':'));
    }

    /**
     * One OVSDB address in the OVS form ovnk's configuration takes: {@code tcp://HOST:PORT} (the seed's flags),
     * {@code tcp:HOST:PORT}, {@code ssl:...} ({@code [v6]} in brackets) or {@code unix:PATH}.
     */
    static String ovsdbAddress(String value) {
        int colon = value.indexOf(':');
        String scheme = colon < 0 ? "" : value.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? "" : value.substring(colon + 1);
        switch (scheme) {
            case "unix" -> {
                String path = rest.startsWith("//") ? rest.substring(2) : rest;
                if (!path.startsWith("/") || path.length() < 2) {
                    throw new IllegalArgumentException("is not an OVSDB address (unix: needs an absolute path)");
                }
                return "unix:" + path;
            }
            case "tcp", "ssl" -> {
                if (rest.startsWith("//")) {
                    rest = rest.substring(2);
                    if (rest.endsWith("/")) {
                        rest = rest.substring(0, rest.length() - 1);
                    }
                }
                int portColon = rest.lastIndexOf(':');
                if (portColon <= 0) {
                    throw new IllegalArgumentException("is not an OVSDB address (" + scheme + " needs HOST:PORT)");
                }
                String host = rest.substring(0, portColon);
                int port;
                try {
                    port = Integer.parseInt(rest.substring(portColon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("is not an OVSDB address (port \"" + rest.substring(portColon + 1)
                            + "\" is not a number)");
                }
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("is not an OVSDB address (port " + port + " is outside 1-65535)");
                }
                if (host.startsWith("[") && host.endsWith("]")) {
                    address(host.substring(1, host.length() - 1));
                } else if (host.contains(":")) {
                    throw new IllegalArgumentException("is not an OVSDB address (an IPv6 address goes in brackets: [" + host
                            + "]:" + port + ")");
                } else if (!IPV4.matcher(host).matches() && !HOST_NAME.matcher(host).matches()) {
                    throw new IllegalArgumentException("is not an OVSDB address (\"" + host + "\" is not a host)");
                } else if (IPV4.matcher(host).matches()) {
                    address(host);
                }
                return scheme + ":" + host + ":" + port;
            }
            default -> throw new IllegalArgumentException(
                    "is not an OVSDB address (tcp://HOST:PORT, tcp:HOST:PORT, ssl:HOST:PORT or unix:PATH)");
        }
    }
}
