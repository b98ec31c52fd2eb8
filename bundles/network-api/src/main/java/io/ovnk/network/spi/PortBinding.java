package io.ovnk.network.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The mode's part of a pod: the columns of its {@code Logical_Switch_Port} ({@code parent_name} and
 * {@code tag_request} for a container behind a VM's port, extra {@code options}) and the annotations the mode wants
 * on the pod. The master writes {@code podAnnotations} in the same patch as {@code k8s.ovn.org/pod-networks},
 * before the port's Northbound transaction, so the node sees both together (the CNI server hands them to the
 * mode's {@link PodPlumber} in {@link PodAttachment#podAnnotations()}). {@link #NONE} for overlay.
 *
 * @param parentName the port's {@code parent_name}
 * @param tag the port's {@code tag_request}; needs a parent
 * @param options further {@code options} of the port
 * @param podAnnotations annotations the master sets on the pod; the mode's own keys, never the master's
 *        ({@code k8s.ovn.org/pod-networks}, {@code ovn}); a value equal to the pod's current one causes no write
 * @since 1.2
 */
public record PortBinding(Optional<String> parentName, OptionalInt tag, Map<String, String> options,
        Map<String, String> podAnnotations) {

    public static final PortBinding NONE = new PortBinding(Optional.empty(), OptionalInt.empty(), Map.of(), Map.of());

    public PortBinding {
        Objects.requireNonNull(parentName, "parentName");
        Objects.requireNonNull(tag, "tag");
        options = Map.copyOf(options);
        podAnnotations = podAnnotations == null ? Map.of() : Map.copyOf(podAnnotations);
        if (tag.isPresent() && (tag.getAsInt() < 1 || tag.getAsInt() > 4095)) {
            throw new IllegalArgumentException("tag " + tag.getAsInt() + " is not a VLAN id (1-4095)");
        }
        if (tag.isPresent() && parentName.isEmpty()) {
            throw new IllegalArgumentException("a VLAN tag needs a parent port");
        }
        for (String key : podAnnotations.keySet()) {
            if (key.isBlank()) {
                throw new IllegalArgumentException("podAnnotations: an empty key");
            }
        }
    }

    /** The port's columns only, no pod annotations (as in 1.1). */
    public PortBinding(Optional<String> parentName, OptionalInt tag, Map<String, String> options) {
        this(parentName, tag, options, Map.of());
    }

    /** This binding with {@code podAnnotations} instead of its own. */
    public PortBinding withPodAnnotations(Map<String, String> podAnnotations) {
        return new PortBinding(parentName, tag, options, podAnnotations);
    }
}
