package io.ovnk.underlay.internal;

import io.fabric8.kubernetes.api.model.Node;
import io.ovnk.kube.Informers;
import io.ovnk.network.spi.PodInfo;
import io.ovnk.network.spi.PodPortBinder;
import io.ovnk.network.spi.PortBinding;
import io.ovnk.ovsdb.OvsdbClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The underlay's master side: a pod's port is a child of its node's VM port with a VLAN tag of its own (see
 * {@link UnderlayBinding}). Reads the Northbound's cache and the Node informer, never blocks; the pod annotation
 * for the node ({@value UnderlayNames#POD_VLAN}) is part of the binding, which the master writes with the pod's
 * network. A changed configuration reactivates it (tags in use are recovered from the Northbound and the pods'
 * annotations).
 */
@Component(service = PodPortBinder.class, property = PodPortBinder.MODE + "=" + UnderlayNames.MODE,
        configurationPid = UnderlayNames.BINDER_PID)
@Designate(ocd = UnderlayPortBinder.Config.class)
public final class UnderlayPortBinder implements PodPortBinder {

    @ObjectClassDefinition(name = "ovnk underlay (master side)", description = "Pods inside VMs: each pod's "
            + "logical switch port is a child of its node's VM port with a VLAN tag unique behind that port")
    public @interface Config {
        @AttributeDefinition(description = "VM ports of nodes without the annotation " + UnderlayNames.NODE_VM_PORT
                + ": NODE=LOGICAL_SWITCH_PORT, one per entry (the annotation wins)", required = false)
        String[] node_vm_ports() default {};

        @AttributeDefinition(description = "Lowest VLAN tag handed out", min = "1", max = "4094")
        int tag_min() default 1;

        @AttributeDefinition(description = "Highest VLAN tag handed out", min = "1", max = "4094")
        int tag_max() default 4094;

        @AttributeDefinition(description = "How long a tag handed to a pod whose port never appears in the "
                + "Northbound stays reserved (ms)", min = "1000")
        long reservation_grace_ms() default 600_000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(UnderlayPortBinder.class);

    private final UnderlayBinding binding;

    @Activate
    public UnderlayPortBinder(Config config, @Reference(target = "(database=OVN_Northbound)") OvsdbClient northbound,
            @Reference Informers informers) {
        Map<String, String> configured = parseVmPorts(config.node_vm_ports());
        TagAllocator tags = new TagAllocator(config.tag_min(), config.tag_max(),
                Duration.ofMillis(config.reservation_grace_ms()), System::nanoTime);
        this.binding = new UnderlayBinding(node -> vmPort(informers, configured, node), new ChildPorts(northbound), tags);
        LOG.info("underlay: pods bind as child ports of their node's VM port, VLAN tags {}-{}, {} VM port(s) "
                + "configured", tags.min(), tags.max(), configured.size());
    }

    /** {@code NODE=PORT} entries; a malformed one is refused naming the key. */
    static Map<String, String> parseVmPorts(String[] entries) {
        Map<String, String> ports = new HashMap<>();
        String[] given = entries == null ? new String[0] : entries;
        for (int i = 0; i < given.length; i++) {
            String entry = given[i].trim();
            int equals = entry.indexOf('=');
            if (equals <= 0 || equals == entry.length() - 1) {
                throw new IllegalArgumentException(UnderlayNames.BINDER_PID + ": node.vm.ports[" + i + "]: \"" + entry
                        + "\" is not NODE=LOGICAL_SWITCH_PORT");
            }
            String node = entry.substring(0, equals).trim();
            if (ports.put(node, entry.substring(equals + 1).trim()) != null) {
                throw new IllegalArgumentException(UnderlayNames.BINDER_PID + ": node.vm.ports[" + i + "]: node "
                        + node + " is mapped twice");
            }
        }
        return Map.copyOf(ports);
    }

    private static Optional<UnderlayBinding.VmPort> vmPort(Informers informers, Map<String, String> configured,
            String node) {
        Optional<String> annotated = informers.lister(Node.class).get(null, node)
                .map(n -> n.getMetadata().getAnnotations()).map(a -> a.get(UnderlayNames.NODE_VM_PORT))
                .filter(name -> !name.isBlank());
        if (annotated.isPresent()) {
            return Optional.of(new UnderlayBinding.VmPort(annotated.get().trim(), "annotation "
                    + UnderlayNames.NODE_VM_PORT));
        }
        return Optional.ofNullable(configured.get(node))
                .map(name -> new UnderlayBinding.VmPort(name, UnderlayNames.BINDER_PID + " node.vm.ports"));
    }

    @Override
    public String mode() {
        return UnderlayNames.MODE;
    }

    @Override
    public PortBinding bind(PodInfo pod) {
        return binding.bind(pod);
    }

    @Deactivate
    void deactivate() {
        LOG.info("underlay: binder stopped");
    }
}
