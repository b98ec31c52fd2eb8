package io.ovnk.underlay.internal;

import io.ovnk.network.spi.PodInfo;
import io.ovnk.network.spi.PortBinding;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master side of the underlay, in plain Java: a pod's port becomes a child of its node's VM port
 * ({@code parent_name}) with a VLAN tag unique behind that port ({@code tag_request}), and the binding asks for
 * both as the pod's annotation {@value UnderlayNames#POD_VLAN}, which the master writes with the pod's network
 * before the port: the node inside the VM, which plumbs the VLAN and has no Northbound, finds it in the CNI
 * attachment.
 */
final class UnderlayBinding {

    private static final Logger LOG = LoggerFactory.getLogger(UnderlayBinding.class);

    /** A node's VM port and where its name came from (for messages). */
    record VmPort(String name, String source) {
    }

    private final Function<String, Optional<VmPort>> vmPorts;
    private final ChildPorts northbound;
    private final TagAllocator tags;

    UnderlayBinding(Function<String, Optional<VmPort>> vmPorts, ChildPorts northbound, TagAllocator tags) {
        this.vmPorts = vmPorts;
        this.northbound = northbound;
        this.tags = tags;
    }

    /** The pod's port name, as the master names it: {@code <namespace>_<pod>}. */
    static String portName(PodInfo pod) {
        return pod.namespace() + "_" + pod.name();
    }

    /**
     * The pod's port columns, and its annotation {@value UnderlayNames#POD_VLAN} for the master to write (a tag
     * annotated earlier is kept while no other port behind the parent holds it: a restarted master, or one whose
     * port write was lost, hands out the same tag).
     *
     * @throws UnderlayBindException when the node has no VM port, the VM port is not in the Northbound, or every
     *         tag behind it is in use
     */
    PortBinding bind(PodInfo pod) {
        VmPort parent = vmPorts.apply(pod.node()).orElseThrow(() -> new UnderlayBindException.NoVmPort(pod.node()));
        northbound.parentProblem(parent.name()).ifPresent(problem -> {
            throw new UnderlayBindException.VmPortNotInNorthbound(pod.node(), parent.name(), parent.source(), problem);
        });
        String port = portName(pod);
        Optional<VlanAnnotation> annotated = annotated(pod);
        OptionalInt wanted = annotated.filter(a -> a.parent().equals(parent.name()))
                .map(a -> OptionalInt.of(a.tag())).orElse(OptionalInt.empty());
        Map<String, Integer> children = northbound.children(parent.name());
        int tag = tags.assign(port, parent.name(), children, wanted);
        VlanAnnotation binding = new VlanAnnotation(parent.name(), tag);
        if (!annotated.equals(Optional.of(binding))) {
            if (annotated.isPresent()) {
                LOG.info("pod {}/{}: VLAN {} behind VM port {} (was {} behind {})", pod.namespace(), pod.name(), tag,
                        parent.name(), annotated.get().tag(), annotated.get().parent());
            } else {
                LOG.debug("pod {}/{}: VLAN {} behind VM port {}", pod.namespace(), pod.name(), tag, parent.name());
            }
        }
        return new PortBinding(Optional.of(parent.name()), OptionalInt.of(tag), Map.of(),
                Map.of(UnderlayNames.POD_VLAN, binding.toJson()));
    }

    private static Optional<VlanAnnotation> annotated(PodInfo pod) {
        String value = pod.annotations().get(UnderlayNames.POD_VLAN);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(VlanAnnotation.parse(value));
        } catch (IllegalArgumentException e) {
            // ours to write: a damaged value is replaced
            LOG.warn("pod {}/{}: annotation {}: {}: \"{}\"; it is rewritten", pod.namespace(), pod.name(),
                    UnderlayNames.POD_VLAN, e.getMessage(), value);
            return Optional.empty();
        }
    }
}
