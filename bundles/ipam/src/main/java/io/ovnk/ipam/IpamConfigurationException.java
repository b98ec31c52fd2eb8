package io.ovnk.ipam;

/**
 * A configuration that cannot be used: malformed, overlapping, or (on a live change) one that would orphan
 * subnets or addresses already handed out. The message names the field and the value; nothing was applied.
 */
public final class IpamConfigurationException extends IpamException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public IpamConfigurationException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The configuration key at fault, with an index where it is a list: {@code cluster.subnets[1]}. */
    public String field() {
        return field;
    }
}
