package io.ovnk.ipam;

/** An IP address family. */
public enum Family {
    IPV4(32, "IPv4"),
    IPV6(128, "IPv6");

    private final int bits;
    private final String label;

    Family(int bits, String label) {
        this.bits = bits;
        this.label = label;
    }

    /** "IPv4" or "IPv6", as people write them. */
    @Override
    public String toString() {
        return label;
    }

    /** Address length in bits: 32 or 128. */
    public int bits() {
        return bits;
    }
}
