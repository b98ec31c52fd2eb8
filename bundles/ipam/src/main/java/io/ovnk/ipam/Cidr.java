package io.ovnk.ipam;

import java.util.Objects;

/**
 * An address with a prefix length, {@code 10.128.0.5/23} or {@code fd00:10:244::/64}. As a subnet it is usually
 * given by its network address; as an interface address (a pod's {@code ip_addresses}) it holds the host.
 */
public record Cidr(IpAddress address, int prefixLength) implements Comparable<Cidr> {

    public Cidr {
        Objects.requireNonNull(address, "address");
        if (prefixLength < 0 || prefixLength > address.family().bits()) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range for "
                    + address.family() + " (0-" + address.family().bits() + ")");
        }
    }

    /** Parses {@code ADDRESS/LENGTH}; an IllegalArgumentException names the text and the fault. */
    public static Cidr parse(String text) {
        Objects.requireNonNull(text, "cidr");
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not a CIDR: the /prefix length is missing");
        }
        IpAddress address;
        try {
            address = IpAddress.parse(text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a CIDR: " + e.getMessage(), e);
        }
        String length = text.substring(slash + 1);
        if (length.isEmpty() || length.length() > 3 || !length.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("\"" + text + "\" is not a CIDR: \"" + length
                    + "\" is not a prefix length");
        }
        try {
            return new Cidr(address, Integer.parseInt(length));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a CIDR: " + e.getMessage(), e);
        }
    }

    public Family family() {
        return address.family();
    }

    /** Number of host bits: 32 - length for IPv4, 128 - length for IPv6. */
    public int hostBits() {
        return address.family().bits() - prefixLength;
    }

    /** The network address: the host bits cleared. */
    public IpAddress network() {
        int hostBits = hostBits();
        if (hostBits == 0) {
            return address;
        }
        if (hostBits >= 64) {
            long highMask = hostBits >= 128 ? 0 : -1L << (hostBits - 64);
            return new IpAddress(family(), address.high() & highMask, 0);
        }
        long lowMask = -1L << hostBits;
        if (family() == Family.IPV4) {
            lowMask &= 0xFFFF_FFFFL;
        }
        return new IpAddress(family(), address.high(), address.low() & lowMask);
    }

    /** True when the address is the network address, as a subnet should be written. */
    public boolean isNetwork() {
        return network().equals(address);
    }

    /** This prefix with its host bits cleared. */
    public Cidr toNetwork() {
        return isNetwork() ? this : new Cidr(network(), prefixLength);
    }

    /** The last address of the range (IPv4: the broadcast address). */
    public IpAddress last() {
        IpAddress network = network();
        int hostBits = hostBits();
        if (hostBits >= 64) {
            long highBits = hostBits >= 128 ? -1L : (1L << (hostBits - 64)) - 1;
            return new IpAddress(family(), network.high() | highBits, -1L);
        }
        long lowBits = hostBits == 0 ? 0 : (hostBits == 64 ? -1L : (1L << hostBits) - 1);
        return new IpAddress(family(), network.high(), network.low() | lowBits);
    }

    public boolean contains(IpAddress candidate) {
        if (candidate.family() != family()) {
            return false;
        }
        int hostBits = hostBits();
        if (hostBits >= 64) {
            long highMask = hostBits >= 128 ? 0 : -1L << (hostBits - 64);
            return ((candidate.high() ^ address.high()) & highMask) == 0;
        }
        long lowMask = hostBits == 0 ? -1L : -1L << hostBits;
        return candidate.high() == address.high() && ((candidate.low() ^ address.low()) & lowMask) == 0;
    }

    /** True when {@code other} lies wholly inside this prefix. */
    public boolean contains(Cidr other) {
        return other.family() == family() && other.prefixLength >= prefixLength && contains(other.address);
    }

    /** True when the two ranges share at least one address. */
    public boolean overlaps(Cidr other) {
        return contains(other) || other.contains(this);
    }

    @Override
    public int compareTo(Cidr other) {
        int byAddress = address.compareTo(other.address);
        return byAddress != 0 ? byAddress : Integer.compare(prefixLength, other.prefixLength);
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
