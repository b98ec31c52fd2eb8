package io.ovnk.ipam;

import java.util.List;

/** Every address (or node subnet) of the named subnets is in use. */
public final class SubnetExhaustedException extends IpamException {

    private static final long serialVersionUID = 1L;

    private final transient List<Cidr> subnets;

    public SubnetExhaustedException(List<Cidr> subnets, String message) {
        super(message);
        this.subnets = List.copyOf(subnets);
    }

    /** The subnets that are full: the cluster subnets of a family, or one node subnet. */
    public List<Cidr> subnets() {
        return subnets;
    }
}
