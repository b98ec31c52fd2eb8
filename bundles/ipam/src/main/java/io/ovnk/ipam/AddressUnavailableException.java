package io.ovnk.ipam;

/** A requested (static) or released address that cannot be used as asked, and why. */
public final class AddressUnavailableException extends IpamException {

    private static final long serialVersionUID = 1L;

    /** Why the address is unavailable. */
    public enum Reason {
        /** Another pod holds it. */
        TAKEN,
        /** It is not in the node's subnet of its family, or beyond the part of an IPv6 subnet that is handed out. */
        OUTSIDE,
        /** The network, gateway, management or broadcast address, a configured reservation or an exclusion. */
        RESERVED
    }

    private final transient IpAddress address;
    private final Reason reason;

    public AddressUnavailableException(IpAddress address, Reason reason, String message) {
        super(message);
        this.address = address;
        this.reason = reason;
    }

    public IpAddress address() {
        return address;
    }

    public Reason reason() {
        return reason;
    }
}
