package io.ovnk.master.internal;

import static io.ovnk.master.internal.Northbound.SWITCH;
import static io.ovnk.master.internal.Northbound.SWITCH_PORT;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.MacAddress;
import io.ovnk.network.spi.PortBinding;
import io.ovnk.ovsdb.Condition;
import io.ovnk.ovsdb.Mutation;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pods' logical switch ports: {@code <namespace>_<pod>} on the node's switch with the pod's MAC and addresses as
 * {@code addresses} and {@code port_security}, {@code options:requested-chassis} and {@code iface-id-ver} (not on a
 * child port, which is bound where its parent is), the
 * external_ids ovn-kubernetes sets ({@code namespace}, {@code pod=true}) and ovnk's ownership, plus the mode's
 * columns. One transaction per pod.
 */
final class PodPorts {

    /** What a pod's port is made of. */
    record Spec(String namespace, String pod, String uid, String node, MacAddress mac, List<Cidr> addresses,
            PortBinding binding) {
        Spec {
            addresses = List.copyOf(addresses);
        }

        String port() {
            return OvnNames.podPort(namespace, pod);
        }

        String owner() {
            return namespace + "/" + pod;
        }
    }

    private final Northbound nb;

    PodPorts(Northbound nb) {
        this.nb = nb;
    }

    /** Makes the pod's port match; false when it already did. */
    boolean ensure(Spec spec) {
        Row nodeSwitch = nb.named(SWITCH, OvnNames.nodeSwitch(spec.node())).orElseThrow(() -> new IllegalStateException(
                "pod " + spec.owner() + ": the switch of node " + spec.node() + " does not exist (yet)"));
        String addresses = spec.mac() + " " + spec.addresses().stream().map(c -> c.address().toString())
                .collect(Collectors.joining(" "));
        Map<String, String> options = new HashMap<>(spec.binding().options());
        // both tie the port to an OVS interface of the node's chassis: a child port (underlay) is bound where its
        // parent, the node's VM, is plugged, a hypervisor that is not the node; ovn-controller there would not claim
        // a port requested for another chassis, nor one whose iface-id-ver its parent's interface does not carry
        if (spec.binding().parentName().isEmpty()) {
            options.put("requested-chassis", spec.node());
            if (!spec.uid().isEmpty()) {
                options.put("iface-id-ver", spec.uid());
            }
        }
        Map<String, String> externalIds = new HashMap<>(OvnNames.owned(OvnNames.TYPE_POD, spec.owner()));
        externalIds.put("namespace", spec.namespace());
        externalIds.put("pod", "true");
        Map<String, Object> columns = new HashMap<>(Map.of("name", spec.port(), "addresses", Set.of(addresses),
                "port_security", Set.of(addresses), "options", options, "external_ids", externalIds));
        columns.put("parent_name", spec.binding().parentName().map(Set::of).orElse(Set.of()));
        columns.put("tag_request", spec.binding().tag().isPresent() ? Set.of((long) spec.binding().tag().getAsInt()) : Set.of());

        List<Operation> operations = new ArrayList<>();
        Optional<Row> existing = nb.named(SWITCH_PORT, spec.port());
        if (existing.isPresent() && nodeSwitch.set("ports").contains(existing.get().uuid())) {
            Northbound.update(existing.get(), columns).ifPresent(operations::add);
        } else {
            if (existing.isPresent()) {
                // the same name on another node's switch: an earlier pod of that name; its port goes first
                detach(existing.get()).ifPresent(operations::add);
            }
            operations.add(Northbound.insert(SWITCH_PORT, columns, "port"));
            operations.add(Operation.mutate(SWITCH).where(Condition.uuid(nodeSwitch.uuid()))
                    .mutation(Mutation.insert("ports", Set.of(NamedUuid.of("port")))));
        }
        nb.commit(operations);
        return !operations.isEmpty();
    }

    /** Removes the pod's port if ovnk owns it; false when there was none. */
    boolean remove(String namespace, String pod) {
        Optional<Row> existing = nb.named(SWITCH_PORT, OvnNames.podPort(namespace, pod))
                .filter(row -> OvnNames.ownedBy(row, OvnNames.TYPE_POD));
        if (existing.isEmpty()) {
            return false;
        }
        Optional<Operation> detach = detach(existing.get());
        detach.ifPresent(operation -> nb.commit(List.of(operation)));
        return detach.isPresent();
    }

    /** Takes a port off the switch that holds it (the port row goes with its last reference). */
    Optional<Operation> detach(Row port) {
        String node = port.<String, String>map("options").get("requested-chassis");
        Optional<Row> holder = node == null ? Optional.empty() : nb.named(SWITCH, OvnNames.nodeSwitch(node))
                .filter(ls -> ls.set("ports").contains(port.uuid()));
        if (holder.isEmpty()) {
            holder = nb.rows(SWITCH).stream().filter(ls -> ls.set("ports").contains(port.uuid())).findFirst();
        }
        return holder.map(ls -> Operation.mutate(SWITCH).where(Condition.uuid(ls.uuid()))
                .mutation(Mutation.delete("ports", Set.of(port.uuid()))));
    }
}
