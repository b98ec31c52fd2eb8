package io.ovnk.ipam;

/**
 * Every failure the IPAM reports, one subtype per case a caller can act on. A failed call changes nothing: no
 * subnet or address is left half allocated.
 */
public abstract sealed class IpamException extends RuntimeException permits IpamConfigurationException,
        SubnetExhaustedException, AddressUnavailableException, UnknownNodeException {

    private static final long serialVersionUID = 1L;

    protected IpamException(String message) {
        super(message);
    }
}
