package io.ovnk.ipam;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address as two unsigned 64-bit halves: IPv4 uses the low 32 bits of {@code low} and a zero
 * {@code high}. Comparable within a family (IPv4 sorts before IPv6). Parsing never resolves names.
 */
public record IpAddress(Family family, long high, long low) implements Comparable<IpAddress> {

    public IpAddress {
        Objects.requireNonNull(family, "family");
        if (family == Family.IPV4 && (high != 0 || (low >>> 32) != 0)) {
            throw new IllegalArgumentException("an IPv4 address has 32 bits");
        }
    }

    public static IpAddress ipv4(int address) {
        return new IpAddress(Family.IPV4, 0, address & 0xFFFF_FFFFL);
    }

    public static IpAddress ipv6(long high, long low) {
        return new IpAddress(Family.IPV6, high, low);
    }

    /**
     * Parses a dotted-quad IPv4 or an RFC 4291 IPv6 address (with {@code ::} compression and an optional
     * trailing dotted quad). An IllegalArgumentException names the text and what is wrong with it.
     */
    public static IpAddress parse(String text) {
        Objects.requireNonNull(text, "address");
        if (text.indexOf(':') >= 0) {
            return ipv6(parseIpv6(text));
        }
        return new IpAddress(Family.IPV4, 0, parseIpv4(text, text) & 0xFFFF_FFFFL);
    }

    public static IpAddress of(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 4 ? ipv4(toInt(bytes, 0)) : ipv6(toLong(bytes, 0), toLong(bytes, 8));
    }

    public InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(bytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: the length is 4 or 16
        }
    }

    /** The address in network byte order: 4 or 16 bytes. */
    public byte[] bytes() {
        if (family == Family.IPV4) {
            return new byte[] { (byte) (low >>> 24), (byte) (low >>> 16), (byte) (low >>> 8), (byte) low };
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (high >>> (56 - 8 * i));
            bytes[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return bytes;
    }

    /** This address plus {@code offset} (may be negative), wrapping within the family's address space. */
    public IpAddress plus(long offset) {
        if (family == Family.IPV4) {
            return new IpAddress(Family.IPV4, 0, (low + offset) & 0xFFFF_FFFFL);
        }
        long sum = low + offset;
        long carry = offset >= 0 ? (Long.compareUnsigned(sum, low) < 0 ? 1 : 0)
                : (Long.compareUnsigned(sum, low) > 0 ? -1 : 0);
        return new IpAddress(Family.IPV6, high + carry, sum);
    }

    @Override
    public int compareTo(IpAddress other) {
        int byFamily = family.compareTo(other.family);
        if (byFamily != 0) {
            return byFamily;
        }
        int byHigh = Long.compareUnsigned(high, other.high);
        return byHigh != 0 ? byHigh : Long.compareUnsigned(low, other.low);
    }

    /** Dotted quad for IPv4; RFC 5952 canonical text (lower case, longest zero run compressed) for IPv6. */
    @Override
    public String toString() {
        if (family == Family.IPV4) {
            return (low >>> 24) + "." + ((low >>> 16) & 255) + "." + ((low >>> 8) & 255) + "." + (low & 255);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) ((high >>> (48 - 16 * i)) & 0xFFFF);
            groups[4 + i] = (int) ((low >>> (48 - 16 * i)) & 0xFFFF);
        }
        int bestStart = -1;
        int bestLength = 1; // RFC 5952 4.2.2: a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append(i == 0 ? "::" : ":");
                i += bestLength - 1;
                continue;
            }
            text.append(Integer.toHexString(groups[i]));
            if (i < 7) {
                text.append(':');
            }
        }
        return text.toString();
    }

    // ---- parsing

    private static int parseIpv4(String text, String whole) {
        int value = 0;
        int octets = 0;
        int position = 0;
        while (position <= text.length()) {
            int end = text.indexOf('.', position);
            if (end < 0) {
                end = text.length();
            }
            String octet = text.substring(position, end);
            if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw invalid(whole, "\"" + octet + "\" is not an octet (0-255)");
            }
            if (octet.length() > 1 && octet.charAt(0) == '0') {
                throw invalid(whole, "octet \"" + octet + "\" has a leading zero (octal is ambiguous)");
            }
            int number = Integer.parseInt(octet);
            if (number > 255) {
                throw invalid(whole, "octet " + number + " is above 255");
            }
            value = (value << 8) | number;
            octets++;
            position = end + 1;
            if (end == text.length()) {
                break;
            }
        }
        if (octets != 4) {
            throw invalid(whole, "an IPv4 address has 4 octets, not " + octets);
        }
        return value;
    }

    private static long[] parseIpv6(String text) {
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            throw invalid(text, "\"::\" may appear once");
        }
        int[] head = groups(text, doubleColon < 0 ? text : text.substring(0, doubleColon), doubleColon < 0);
        int[] tail = doubleColon < 0 ? new int[0] : groups(text, text.substring(doubleColon + 2), true);
        int given = head.length + tail.length;
        if (doubleColon < 0 ? given != 8 : given > 7) {
            throw invalid(text, doubleColon < 0 ? "an IPv6 address has 8 groups, not " + given
                    : "too many groups around \"::\"");
        }
        int[] all = new int[8];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, 8 - tail.length, tail.length);
        long high = 0;
        long low = 0;
        for (int i = 0; i < 4; i++) {
            high = (high << 16) | all[i];
            low = (low << 16) | all[4 + i];
        }
        return new long[] { high, low };
    }

    /** The 16-bit groups of one side of "::"; a dotted quad ending the address counts as two groups. */
    private static int[] groups(String whole, String part, boolean endsAddress) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] fields = part.split(":", -1);
        boolean embeddedIpv4 = endsAddress && fields[fields.length - 1].indexOf('.') >= 0;
        int[] groups = new int[fields.length + (embeddedIpv4 ? 1 : 0)];
        for (int i = 0; i < fields.length; i++) {
            String field = fields[i];
            if (i == fields.length - 1 && embeddedIpv4) {
                int ipv4 = parseIpv4(field, whole);
                groups[i] = ipv4 >>> 16;
                groups[i + 1] = ipv4 & 0xFFFF;
                continue;
            }
            if (field.isEmpty() || field.length() > 4) {
                throw invalid(whole, "\"" + field + "\" is not a group of 1 to 4 hex digits");
            }
            int value = 0;
            for (int c = 0; c < field.length(); c++) {
                int digit = Character.digit(field.charAt(c), 16);
                if (digit < 0) {
                    throw invalid(whole, "\"" + field + "\" is not a group of 1 to 4 hex digits");
                }
                value = (value << 4) | digit;
            }
            groups[i] = value;
        }
        return groups;
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("\"" + text + "\" is not an IP address: " + why);
    }

    private static int toInt(byte[] bytes, int from) {
        return ((bytes[from] & 255) << 24) | ((bytes[from + 1] & 255) << 16) | ((bytes[from + 2] & 255) << 8)
                | (bytes[from + 3] & 255);
    }

    private static long toLong(byte[] bytes, int from) {
        return ((long) toInt(bytes, from) << 32) | (toInt(bytes, from + 4) & 0xFFFF_FFFFL);
    }

    private static IpAddress ipv6(long[] halves) {
        return ipv6(halves[0], halves[1]);
    }
}
