package io.ovnk.ipam;

/** The node has no subnet (of the family asked for): allocate its subnets first. */
public final class UnknownNodeException extends IpamException {

    private static final long serialVersionUID = 1L;

    private final String node;

    public UnknownNodeException(String node, String message) {
        super(message);
        this.node = node;
    }

    public String node() {
        return node;
    }
}
