package io.ovnk.network.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The mode's columns of a pod's {@code Logical_Switch_Port}: {@code parent_name} and {@code tag_request} for a
 * container behind a VM's port, extra {@code options}; {@link #NONE} for overlay.
 */
public record PortBinding(Optional<String> parentName, OptionalInt tag, Map<String, String> options) {

    public static final PortBinding NONE = new PortBinding(Optional.empty(), OptionalInt.empty(), Map.of());

    public PortBinding {
        Objects.requireNonNull(parentName, "parentName");
        Objects.requireNonNull(tag, "tag");
        options = Map.copyOf(options);
        if (tag.isPresent() && (tag.getAsInt() < 1 || tag.getAsInt() > 4095)) {
            throw new IllegalArgumentException("tag " + tag.getAsInt() + " is not a VLAN id (1-4095)");
        }
        if (tag.isPresent() && parentName.isEmpty()) {
            throw new IllegalArgumentException("a VLAN tag needs a parent port");
        }
    }
}
