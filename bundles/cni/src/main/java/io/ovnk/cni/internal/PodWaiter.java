package io.ovnk.cni.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.cni.internal.CniRequest.PodRef;
import io.ovnk.kube.AnnotationException;
import io.ovnk.kube.Lister;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.PodNetwork;
import io.ovnk.kube.PodNetworksAnnotation;
import io.ovnk.kube.ResourceHandler;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits, event-driven, for a pod's network: registered as a {@link ResourceHandler} for Pods, it hears every change
 * of every pod and completes the waits of the pod it concerns. A wait first registers itself, then looks at the
 * informer's cache, so that no change between the two is missed. No polling, no sleeping.
 */
final class PodWaiter implements ResourceHandler<Pod>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PodWaiter.class);

    private final Lister<Pod> pods;
    private final Consumer<String> onWaiting;
    private final Map<String, Set<Wait>> waits = new ConcurrentHashMap<>();
    private volatile boolean closed;

    PodWaiter(Lister<Pod> pods) {
        this(pods, message -> LOG.debug("{}", message));
    }

    /** @param onWaiting told when a request starts waiting because the pod's network is not there yet */
    PodWaiter(Lister<Pod> pods, Consumer<String> onWaiting) {
        this.pods = pods;
        this.onWaiting = onWaiting;
    }

    /**
     * A pod's default network and the annotations of the same pod object it was read from (a mode's own
     * annotations, which the master writes in the same patch as the network, are among them).
     */
    record Networked(PodNetwork network, Map<String, String> annotations) {
        Networked {
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        }
    }

    /** One request waiting for one pod: its outcome, and what was missing when last looked at (for the timeout). */
    private static final class Wait {
        final PodRef pod;
        final CompletableFuture<Networked> network = new CompletableFuture<>();
        volatile String missing = "the pod has not been seen";

        Wait(PodRef pod) {
            this.pod = pod;
        }
    }

    /**
     * The pod's default network and annotations, once the pod exists with the request's UID and carries a valid
     * {@code k8s.ovn.org/pod-networks} annotation; waits at most {@code timeout} for it.
     *
     * @throws CniException 11 naming the pod and what was missing on timeout; 101 for a malformed annotation;
     *         3 when the pod was deleted meanwhile
     */
    Networked await(PodRef ref, Duration timeout) throws CniException, InterruptedException {
        Wait wait = new Wait(ref);
        waits.compute(ref.toString(), (key, set) -> {
            Set<Wait> result = set == null ? ConcurrentHashMap.newKeySet() : set;
            result.add(wait);
            return result;
        });
        try {
            if (closed) {
                throw stopping();
            }
            evaluate(wait, pods.get(ref.namespace(), ref.name()).orElse(null));
            if (!wait.network.isDone()) {
                onWaiting.accept("pod " + ref + ": waiting for its network: " + wait.missing);
            }
            return wait.network.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CniException(CniException.TRY_AGAIN_LATER, "pod " + ref + ": no network after "
                    + timeout.toMillis() + " ms: " + wait.missing);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CniException failure) {
                throw failure;
            }
            throw new CniException(CniException.IO_FAILURE, "pod " + ref + ": " + e.getCause());
        } finally {
            waits.computeIfPresent(ref.toString(), (key, set) -> {
                set.remove(wait);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /**
     * The pod's default network and annotations as the cache has them now, without waiting (CHECK).
     *
     * @throws CniException 3 when the pod or its UID is gone, 101 when the annotation is missing or malformed
     */
    Networked current(PodRef ref) throws CniException {
        Optional<Pod> pod = pods.get(ref.namespace(), ref.name());
        if (pod.isEmpty()) {
            throw new CniException(CniException.UNKNOWN_CONTAINER, "pod " + ref + ": does not exist");
        }
        String uid = pod.get().getMetadata().getUid();
        if (!ref.uid().equals(uid)) {
            throw new CniException(CniException.UNKNOWN_CONTAINER, "pod " + ref + ": has UID " + uid
                    + ", the sandbox is for UID " + ref.uid() + " (CNI_ARGS K8S_POD_UID)");
        }
        return network(ref, pod.get()).map(network -> new Networked(network, pod.get().getMetadata().getAnnotations()))
                .orElseThrow(() -> new CniException(CniException.BAD_POD_ANNOTATION, "pod "
                + ref + ": annotation " + OvnAnnotations.POD_NETWORKS + ": missing or without a default network"));
    }

    private static Optional<PodNetwork> network(PodRef ref, Pod pod) throws CniException {
        try {
            return OvnAnnotations.read(pod, OvnAnnotations.POD_NETWORKS, PodNetworksAnnotation::parse)
                    .map(PodNetworksAnnotation::defaultNetwork);
        } catch (AnnotationException e) {
            // "pod default/web-1: annotation k8s.ovn.org/pod-networks: default.ip_addresses[0]: ..."
            throw new CniException(CniException.BAD_POD_ANNOTATION, e.getMessage());
        }
    }

    private static void evaluate(Wait wait, Pod pod) {
        if (wait.network.isDone()) {
            return;
        }
        if (pod == null) {
            wait.missing = "the pod has not been seen";
            return;
        }
        String uid = pod.getMetadata().getUid();
        if (!wait.pod.uid().equals(uid)) {
            wait.missing = "the pod has UID " + uid + ", the sandbox is for UID " + wait.pod.uid()
                    + " (CNI_ARGS K8S_POD_UID)";
            return;
        }
        try {
            Optional<PodNetwork> network = network(wait.pod, pod);
            if (network.isPresent()) {
                wait.network.complete(new Networked(network.get(), pod.getMetadata().getAnnotations()));
            } else {
                wait.missing = "the pod has no annotation " + OvnAnnotations.POD_NETWORKS + " with a default network";
            }
        } catch (CniException malformed) {
            wait.network.completeExceptionally(malformed);
        }
    }

    private Set<Wait> waitsFor(Pod pod) {
        return waits.getOrDefault(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(), Set.of());
    }

    @Override
    public Class<Pod> resourceType() {
        return Pod.class;
    }

    @Override
    public void added(Pod pod) {
        for (Wait wait : waitsFor(pod)) {
            evaluate(wait, pod);
        }
    }

    @Override
    public void deleted(Pod pod) {
        for (Wait wait : waitsFor(pod)) {
            if (wait.pod.uid().equals(pod.getMetadata().getUid())) {
                wait.network.completeExceptionally(new CniException(CniException.UNKNOWN_CONTAINER, "pod "
                        + wait.pod + ": deleted while its sandbox was being set up"));
            } else {
                wait.missing = "the pod has not been seen";
            }
        }
    }

    /** How many requests wait now. */
    int waiting() {
        return waits.values().stream().mapToInt(Set::size).sum();
    }

    /** Every waiting request ends with "try again later"; later waits fail at once. */
    @Override
    public void close() {
        closed = true;
        waits.values().forEach(set -> set.forEach(wait -> wait.network.completeExceptionally(stopping())));
    }

    private static CniException stopping() {
        return new CniException(CniException.TRY_AGAIN_LATER, "the ovnk CNI server is stopping");
    }
}
