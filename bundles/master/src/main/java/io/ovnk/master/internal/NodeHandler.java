package io.ovnk.master.internal;

import io.fabric8.kubernetes.api.model.Node;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.MacAddress;
import io.ovnk.ipam.NodeSubnets;
import io.ovnk.ipam.Recovery;
import io.ovnk.ipam.RecoveryReport;
import io.ovnk.kube.AnnotationException;
import io.ovnk.kube.KubeException;
import io.ovnk.kube.NodeSubnetsAnnotation;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.ResourceHandler;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes: a subnet per family (kept from the node's annotation, or allocated and annotated), then the node's
 * switch, router port, management port and gateway chassis. Deleted nodes lose all of it and their subnets.
 */
final class NodeHandler implements ResourceHandler<Node> {

    private static final Logger LOG = LoggerFactory.getLogger(NodeHandler.class);

    private final MasterContext context;

    NodeHandler(MasterContext context) {
        this.context = context;
    }

    @Override
    public Class<Node> resourceType() {
        return Node.class;
    }

    @Override
    public void added(Node node) {
        String name = node.getMetadata().getName();
        Optional<NodeSubnetsAnnotation> annotated;
        try {
            annotated = OvnAnnotations.read(node, OvnAnnotations.NODE_SUBNETS, NodeSubnetsAnnotation::parse);
        } catch (AnnotationException e) {
            context.problem(node, e);
            return;
        }
        List<Cidr> claimed = annotated.map(NodeSubnetsAnnotation::defaultNetwork).orElse(List.of());
        if (!claimed.isEmpty()) {
            Optional<NodeSubnets> held = context.ipam.nodeSubnets(name);
            if (held.isEmpty() || !held.get().subnets().containsAll(claimed)) {
                RecoveryReport report = context.ipam.recover(new Recovery(Map.of(name, claimed), List.of()));
                if (!report.conflicts().isEmpty()) {
                    context.problem(node, OvnAnnotations.NODE_SUBNETS, String.valueOf(claimed), "SubnetConflict",
                            "node " + name + ": annotation " + OvnAnnotations.NODE_SUBNETS + ": " + report.conflicts().get(0));
                    return;
                }
            }
        }
        List<Cidr> subnets = context.ipam.allocateNodeSubnets(name).subnets(); // keeps what it holds, adds a missing family
        if (!subnets.equals(claimed)) {
            String value = NodeSubnetsAnnotation.ofDefault(subnets).toJson();
            try {
                context.annotator.annotate(node, current -> Map.of(OvnAnnotations.NODE_SUBNETS, value));
            } catch (KubeException.NotFound gone) {
                context.ipam.releaseNodeSubnets(name);
                return;
            }
            LOG.info("node {}: annotated {} = {}", name, OvnAnnotations.NODE_SUBNETS, value);
        }
        Optional<MacAddress> mac = Optional.empty();
        try {
            mac = OvnAnnotations.read(node, OvnAnnotations.NODE_MGMT_PORT_MAC, MacAddress::parse);
        } catch (AnnotationException e) {
            context.problem(node, e); // the derived MAC serves meanwhile
        }
        Optional<String> chassis = Optional.empty();
        try {
            chassis = OvnAnnotations.read(node, OvnAnnotations.NODE_CHASSIS_ID, OvnAnnotations::parseChassisId);
        } catch (AnnotationException e) {
            context.problem(node, e); // no chassis pinning until it is fixed
        }
        if (context.nodes.ensure(new NodeNetwork.Spec(name, subnets, mac, chassis))) {
            LOG.info("node {}: switch, router port and management port written for {}", name, subnets);
        }
    }

    @Override
    public void deleted(Node node) {
        String name = node.getMetadata().getName();
        boolean removed = context.nodes.remove(name);
        boolean released = context.ipam.releaseNodeSubnets(name);
        context.problems.forget(OvnAnnotations.describe(node), OvnAnnotations.NODE_SUBNETS);
        if (removed || released) {
            LOG.info("node {}: deleted; its switch and router port removed, its subnets released", name);
        }
    }
}
