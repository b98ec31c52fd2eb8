package io.ovnk.master.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.ipam.AddressUnavailableException;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.PodAddresses;
import io.ovnk.ipam.SubnetExhaustedException;
import io.ovnk.kube.AnnotationException;
import io.ovnk.kube.KubeException;
import io.ovnk.kube.LegacyPodAnnotation;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.PodNetwork;
import io.ovnk.kube.PodNetworksAnnotation;
import io.ovnk.kube.ResourceHandler;
import io.ovnk.network.spi.PodInfo;
import io.ovnk.network.spi.PodPortBinder;
import io.ovnk.network.spi.PortBinding;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pods: addresses and MAC (kept from the pod's annotation, or allocated) and the mode's binding; the addresses and
 * the mode's pod annotations are written to the pod in one patch first, then its logical switch port in one
 * Northbound transaction. Deleted and completed pods lose their port
 * and give their addresses back, unless another live pod holds them.
 */
final class PodHandler implements ResourceHandler<Pod> {

    private static final Logger LOG = LoggerFactory.getLogger(PodHandler.class);

    private static final int STRIPES = 64;

    private final MasterContext context;
    /** Pod UID to when this term's handler first looked at it without its annotation (pod set-up latency). */
    private final java.util.concurrent.ConcurrentMap<String, Long> firstSeen = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * One pod is handled by one thread at a time: the pod queue does that for its own calls, but a new mode rebinds
     * every pod from the master's thread (Master.rebindAll) while the queue may be retrying one of them. Striped, so
     * the locks do not grow with the pods.
     */
    private final Object[] stripes = new Object[STRIPES];

    PodHandler(MasterContext context) {
        this.context = context;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    @Override
    public Class<Pod> resourceType() {
        return Pod.class;
    }

    static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /** The UID (a pod recreated under its name is another pod), or the name where a pod has none (tests). */
    private static String timingKey(Pod pod) {
        String uid = pod.getMetadata().getUid();
        return uid == null ? key(pod) : uid;
    }

    /** Pods the master wires: scheduled, on the pod network, not finished. */
    static boolean wired(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()
                && !Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) && !completed(pod);
    }

    static boolean completed(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    @Override
    public void added(Pod pod) {
        synchronized (stripes[Math.floorMod(key(pod).hashCode(), STRIPES)]) {
            try {
                wire(pod);
            } catch (AnnotatedMeanwhile meanwhile) {
                wire(meanwhile.pod); // carries the annotation, so it cannot allocate (and come back here) again
            }
        }
    }

    private void wire(Pod pod) {
        if (completed(pod)) {
            release(pod);
            return;
        }
        if (!wired(pod)) {
            return;
        }
        String uid = timingKey(pod);
        long seen = firstSeen.computeIfAbsent(uid, first -> System.nanoTime());
        String key = key(pod);
        String node = pod.getSpec().getNodeName();
        PodPortBinder binder = context.binder.get();
        if (binder == null) {
            throw new IllegalStateException("pod " + key + ": no network mode bundle (overlay, underlay) is active");
        }
        PortBinding binding;
        try {
            binding = binder.bind(new PodInfo(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    pod.getMetadata().getUid(), node, pod.getMetadata().getLabels(), pod.getMetadata().getAnnotations()));
        } catch (IllegalArgumentException e) {
            context.problem(pod, binder.mode(), String.valueOf(pod.getMetadata().getAnnotations()), "InvalidPod",
                    "pod " + key + ": " + binder.mode() + " mode: " + e.getMessage());
            return;
        } catch (IllegalStateException e) {
            // the mode cannot bind it yet (a node without its VM port, say) and the queue retries with backoff: the
            // pod's owner learns why from one Warning Event per reason, not only from ovnk's log
            context.pending(pod, binder.mode(), "pod " + key + ": " + binder.mode() + " mode: " + e.getMessage());
            throw e;
        }
        for (String masters : List.of(OvnAnnotations.POD_NETWORKS, OvnAnnotations.LEGACY_POD)) {
            if (binding.podAnnotations().containsKey(masters)) {
                context.problem(pod, binder.mode(), masters, "InvalidBinding", "pod " + key + ": " + binder.mode()
                        + " mode: asks for annotation " + masters + ", which only the master writes");
                return;
            }
        }
        Optional<PodNetworksAnnotation> annotated;
        Optional<LegacyPodAnnotation> legacy;
        try {
            annotated = OvnAnnotations.read(pod, OvnAnnotations.POD_NETWORKS, PodNetworksAnnotation::parse);
            legacy = OvnAnnotations.read(pod, OvnAnnotations.LEGACY_POD, LegacyPodAnnotation::parse);
        } catch (AnnotationException e) {
            context.problem(pod, e);
            return;
        }
        PodNetwork network = annotated.map(PodNetworksAnnotation::defaultNetwork).orElse(null);
        if (network == null && legacy.isPresent()) {
            // written by the seed era's master: adopt it
            LegacyPodAnnotation old = legacy.get();
            network = new PodNetwork(List.of(old.ipAddress()), old.macAddress(), List.of(old.gatewayIp()), List.of(), "primary");
        }
        if (network != null) {
            firstSeen.remove(uid); // annotated before this term's first look: not timed
            if (!hold(pod, node, network)) {
                return;
            }
            Map<String, String> missing = new HashMap<>();
            if (annotated.isEmpty() || legacy.isEmpty()) {
                missing.putAll(networkAnnotations(network)); // complete what an older writer left half done
            }
            if (!missing.isEmpty() || !has(pod, binding.podAnnotations())) {
                missing.putAll(binding.podAnnotations()); // and what the mode wants now (a rebind, another mode)
                context.annotator.annotate(pod, current -> missing);
            }
        } else {
            network = allocate(pod, node, binding.podAnnotations());
            if (firstSeen.remove(uid) != null && network != null) {
                context.metrics.podAnnotated(System.nanoTime() - seen);
            }
            if (network == null) {
                return;
            }
        }
        context.pods.ensure(new PodPorts.Spec(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                pod.getMetadata().getUid(), node, network.macAddress(), network.ipAddresses(), binding));
    }

    /** Makes sure the IPAM and the address book hold the annotated addresses for this pod; false if another does. */
    private boolean hold(Pod pod, String node, PodNetwork network) {
        String key = key(pod);
        List<IpAddress> ips = network.ipAddresses().stream().map(Cidr::address).toList();
        Optional<PodAddressBook.Entry> known = context.addresses.get(key);
        if (known.isPresent() && known.get().addresses().equals(ips)) {
            return true;
        }
        try {
            context.ipam.allocatePodAddresses(node, ips);
        } catch (AddressUnavailableException e) {
            String holder = context.addresses.holder(e.address()).map(other -> ", held by pod " + other).orElse("");
            context.problem(pod, OvnAnnotations.POD_NETWORKS, ips.toString(), "AddressConflict", "pod " + key
                    + ": annotation " + OvnAnnotations.POD_NETWORKS + ": " + e.getMessage() + holder);
            return false;
        }
        context.addresses.put(key, new PodAddressBook.Entry(node, ips));
        // the pod's annotation was changed under it (by hand, or another writer): what it held before goes back,
        // unless another live pod holds it now
        known.ifPresent(before -> context.ipam.releasePodAddresses(before.node(), before.addresses().stream()
                .filter(address -> !ips.contains(address) && context.addresses.holder(address).isEmpty()).toList()));
        return true;
    }

    /** Whether the pod carries every one of {@code wanted} with the same value already. */
    private static boolean has(Pod pod, Map<String, String> wanted) {
        Map<String, String> current = pod.getMetadata().getAnnotations() == null ? Map.of()
                : pod.getMetadata().getAnnotations();
        return wanted.entrySet().stream().allMatch(entry -> entry.getValue().equals(current.get(entry.getKey())));
    }

    /**
     * New addresses, annotated on the pod (with the mode's annotations) before anything else; null when the pod went
     * away meanwhile.
     */
    private PodNetwork allocate(Pod pod, String node, Map<String, String> modeAnnotations) {
        String key = key(pod);
        PodAddresses got;
        try {
            got = context.ipam.allocatePodAddresses(node);
        } catch (SubnetExhaustedException e) {
            context.problem(pod, "node subnet", e.subnets().toString(), "AddressesExhausted", "pod " + key + ": "
                    + e.getMessage());
            throw e; // retried with backoff: a release may free one
        }
        PodNetwork network = new PodNetwork(got.addresses(), got.mac(), got.gateways(), List.of(), "primary");
        try {
            writeAnnotations(pod, network, modeAnnotations);
        } catch (KubeException.NotFound gone) {
            context.ipam.releasePodAddresses(node, got.ips());
            return null;
        } catch (AnnotatedMeanwhile meanwhile) {
            // the copy this handler read was stale: the pod already had its addresses (written by this master a
            // moment ago, or by the previous leader); they stand, and the ones just taken go back
            context.ipam.releasePodAddresses(node, got.ips());
            LOG.debug("pod {}: already annotated; keeping those addresses, {} given back", key, got.ips());
            throw meanwhile;
        } catch (RuntimeException e) {
            context.ipam.releasePodAddresses(node, got.ips());
            throw e;
        }
        context.addresses.put(key, new PodAddressBook.Entry(node, got.ips()));
        LOG.debug("pod {}: {} {}", key, got.addresses(), got.mac());
        return network;
    }

    /**
     * The pod's network and the mode's annotations, in one patch: the node sees the mode's annotations as soon as
     * it sees {@code k8s.ovn.org/pod-networks}. The annotator writes nothing when every value is already there.
     */
    private void writeAnnotations(Pod pod, PodNetwork network, Map<String, String> modeAnnotations) {
        Map<String, String> values = new HashMap<>(modeAnnotations);
        values.putAll(networkAnnotations(network));
        context.annotator.annotate(pod, current -> {
            // the annotator reads the pod again when the API server refused the write as based on a stale copy:
            // addresses found on that fresh copy must never be overwritten with a second allocation
            if (annotations(current).containsKey(OvnAnnotations.POD_NETWORKS)
                    || annotations(current).containsKey(OvnAnnotations.LEGACY_POD)) {
                throw new AnnotatedMeanwhile(current);
            }
            return values;
        });
    }

    private static Map<String, String> annotations(Pod pod) {
        return pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
    }

    /** The pod turned out to carry addresses already; {@link #pod} is the fresh copy that says so. */
    static final class AnnotatedMeanwhile extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Pod pod;

        AnnotatedMeanwhile(Pod pod) {
            super("pod " + key(pod) + " was annotated meanwhile", null, false, false);
            this.pod = pod;
        }
    }

    /** {@code k8s.ovn.org/pod-networks} and the seed's {@code ovn} of a network. */
    private static Map<String, String> networkAnnotations(PodNetwork network) {
        return Map.of(OvnAnnotations.POD_NETWORKS, PodNetworksAnnotation.ofDefault(network).toJson(),
                OvnAnnotations.LEGACY_POD, LegacyPodAnnotation.of(network).toJson());
    }

    @Override
    public void deleted(Pod pod) {
        release(pod);
        context.problems.forget(OvnAnnotations.describe(pod), OvnAnnotations.POD_NETWORKS);
        context.problems.forget(OvnAnnotations.describe(pod), MasterContext.PENDING);
    }

    private void release(Pod pod) {
        firstSeen.remove(timingKey(pod));
        String key = key(pod);
        boolean removed = context.pods.remove(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
        Optional<PodAddressBook.Entry> entry = context.addresses.remove(key);
        if (entry.isPresent()) {
            // an address another live pod holds (it was handed on while this pod lingered) stays with it
            List<IpAddress> free = entry.get().addresses().stream()
                    .filter(address -> context.addresses.holder(address).isEmpty()).toList();
            context.ipam.releasePodAddresses(entry.get().node(), free);
        }
        if (removed || entry.isPresent()) {
            // say what happened: "port removed" when there was none misled the search for a port left behind
            LOG.debug("pod {}: {}, addresses {} released", key, removed ? "port removed" : "no port to remove",
                    entry.map(PodAddressBook.Entry::addresses).orElse(List.of()));
        }
    }

}
