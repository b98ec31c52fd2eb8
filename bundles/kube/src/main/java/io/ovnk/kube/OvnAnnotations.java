package io.ovnk.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** The annotations ovnk reads and writes, and how to read one from an object with an error that names both. */
public final class OvnAnnotations {

    /** On Nodes: the node's subnets per network, {@link NodeSubnetsAnnotation}. */
    public static final String NODE_SUBNETS = "k8s.ovn.org/node-subnets";
    /** On Nodes: the OVS system-id of the node's chassis. */
    public static final String NODE_CHASSIS_ID = "k8s.ovn.org/node-chassis-id";
    /** On Nodes: the MAC of the management port. */
    public static final String NODE_MGMT_PORT_MAC = "k8s.ovn.org/node-mgmt-port-mac-address";
    /** On Nodes: the gateway configuration per network, {@link L3GatewayConfig}. */
    public static final String L3_GATEWAY_CONFIG = "k8s.ovn.org/l3-gateway-config";
    /** On Pods: addresses, MAC, gateways and routes per network, {@link PodNetworksAnnotation}. */
    public static final String POD_NETWORKS = "k8s.ovn.org/pod-networks";
    /** On Pods, seed era: {@link LegacyPodAnnotation}, still read by old tooling. */
    public static final String LEGACY_POD = "ovn";

    private OvnAnnotations() {
    }

    /**
     * The parsed annotation, or empty when the object does not carry it.
     *
     * @throws AnnotationException naming the object, the annotation and the field when the value does not parse
     */
    public static <A> Optional<A> read(HasMetadata object, String annotation, Function<String, A> parser) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(annotation);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(value));
        } catch (IllegalArgumentException e) {
            throw new AnnotationException(describe(object), annotation, value, e.getMessage());
        }
    }

    /** {@code pod default/web-1}, {@code node worker-1}: how messages name objects. */
    public static String describe(HasMetadata object) {
        String kind = object.getKind() != null ? object.getKind().toLowerCase(java.util.Locale.ROOT)
                : object.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        String namespace = object.getMetadata().getNamespace();
        return kind + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/")
                + object.getMetadata().getName();
    }

    /** The chassis id: the OVS system-id, a single token of letters, digits, '.', '_' or '-'. */
    public static String parseChassisId(String value) {
        if (value.isEmpty() || value.length() > 256 || !value.chars().allMatch(c -> Character.isLetterOrDigit(c)
                || c == '-' || c == '_' || c == '.')) {
            throw new IllegalArgumentException("\"" + value + "\" is not a chassis id (letters, digits, '.', '_', '-')");
        }
        return value;
    }
}
