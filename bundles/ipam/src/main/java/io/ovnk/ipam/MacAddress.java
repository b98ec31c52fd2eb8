package io.ovnk.ipam;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * A 48-bit MAC address. Pod MACs are {@code 0a:58:} followed by the pod's IPv4 octets, as ovn-kubernetes makes
 * them, so an address and its MAC can be read from each other; an IPv6-only pod gets {@code 0a:58:} followed by
 * the first four bytes of the SHA-256 of its 16 address bytes (also as ovn-kubernetes does, so a pod keeps its
 * MAC when a cluster moves between the two): stable across restarts, locally administered and unicast.
 */
public record MacAddress(long value) {

    private static final long POD_PREFIX = 0x0A58L << 32;

    public MacAddress {
        if ((value >>> 48) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits");
        }
    }

    /** The MAC ovnk gives the interface holding {@code address}. */
    public static MacAddress forAddress(IpAddress address) {
        if (address.family() == Family.IPV4) {
            return new MacAddress(POD_PREFIX | address.low());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(address.bytes());
            long tail = ((digest[0] & 255L) << 24) | ((digest[1] & 255L) << 16) | ((digest[2] & 255L) << 8)
                    | (digest[3] & 255L);
            return new MacAddress(POD_PREFIX | tail);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (also with '-' separators, any case). */
    public static MacAddress parse(String text) {
        Objects.requireNonNull(text, "mac");
        if (text.length() != 17) {
            throw new IllegalArgumentException("\"" + text + "\" is not a MAC address: expected 6 bytes as aa:bb:cc:dd:ee:ff");
        }
        long value = 0;
        for (int i = 0; i < 6; i++) {
            int high = Character.digit(text.charAt(3 * i), 16);
            int low = Character.digit(text.charAt(3 * i + 1), 16);
            char separator = i < 5 ? text.charAt(3 * i + 2) : ':';
            if (high < 0 || low < 0 || (separator != ':' && separator != '-')) {
                throw new IllegalArgumentException("\"" + text + "\" is not a MAC address: expected 6 bytes as aa:bb:cc:dd:ee:ff");
            }
            value = (value << 8) | (high << 4) | low;
        }
        return new MacAddress(value);
    }

    @Override
    public String toString() {
        char[] text = new char[17];
        for (int i = 0; i < 6; i++) {
            int octet = (int) (value >>> (40 - 8 * i)) & 255;
            text[3 * i] = Character.forDigit(octet >>> 4, 16);
            text[3 * i + 1] = Character.forDigit(octet & 15, 16);
            if (i < 5) {
                text[3 * i + 2] = ':';
            }
        }
        return new String(text);
    }
}
