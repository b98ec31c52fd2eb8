package io.ovnk.underlay.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.kube.Lister;
import io.ovnk.kube.ResourceHandler;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where the node inside the VM learns a pod's VLAN: the pod's {@value UnderlayNames#POD_VLAN} annotation, which
 * the underlay binder on the master writes (the VM has no Northbound). The binder writes it when it binds the
 * pod, in parallel with the master's {@code k8s.ovn.org/pod-networks}, so a CNI ADD may come first: a wait
 * registers itself, then looks at the informer's cache, and completes on the Pod event that brings the annotation.
 * No polling.
 */
final class PodVlans implements ResourceHandler<Pod>, UnderlayPodPlumber.TagSource {

    private final java.util.function.Supplier<Lister<Pod>> pods;
    private final Map<String, Set<Wait>> waits = new ConcurrentHashMap<>();

    /** One ADD waiting for the annotation of the pod with this UID (empty: any). */
    private record Wait(String uid, CompletableFuture<VlanAnnotation> vlan) {
    }

    /** @param pods the Pod informer's cache, asked for at the first use (its informer starts then) */
    PodVlans(java.util.function.Supplier<Lister<Pod>> pods) {
        this.pods = pods;
    }

    @Override
    public int tag(PodAttachment pod, Duration timeout) throws PlumbingException {
        String key = pod.namespace() + "/" + pod.name();
        Wait wait = new Wait(pod.uid(), new CompletableFuture<>());
        waits.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(wait);
        try {
            evaluate(wait, pods.get().get(pod.namespace(), pod.name()).orElse(null));
            return wait.vlan().get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS).tag();
        } catch (TimeoutException e) {
            throw new PlumbingException("pod " + key + ": no annotation " + UnderlayNames.POD_VLAN + " after "
                    + timeout.toMillis() + " ms (the underlay binder on the master writes it)", true);
        } catch (ExecutionException e) {
            throw new PlumbingException("pod " + key + ": annotation " + UnderlayNames.POD_VLAN + ": "
                    + e.getCause().getMessage(), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlumbingException("pod " + key + ": interrupted while waiting for its VLAN", true);
        } finally {
            waits.computeIfPresent(key, (k, set) -> {
                set.remove(wait);
                return set.isEmpty() ? null : set;
            });
        }
    }

    private static void evaluate(Wait wait, Pod pod) {
        if (pod == null || wait.vlan().isDone() || (!wait.uid().isEmpty() && !wait.uid().equals(pod.getMetadata().getUid()))) {
            return;
        }
        String value = pod.getMetadata().getAnnotations() == null ? null
                : pod.getMetadata().getAnnotations().get(UnderlayNames.POD_VLAN);
        if (value == null) {
            return;
        }
        try {
            wait.vlan().complete(VlanAnnotation.parse(value));
        } catch (IllegalArgumentException e) {
            wait.vlan().completeExceptionally(new IllegalArgumentException("\"" + value + "\": " + e.getMessage()));
        }
    }

    @Override
    public Class<Pod> resourceType() {
        return Pod.class;
    }

    @Override
    public void added(Pod pod) {
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        for (Wait wait : waits.getOrDefault(key, Set.of())) {
            evaluate(wait, pod);
        }
    }

    @Override
    public void deleted(Pod pod) {
        // a waiting ADD ends at its deadline; the CNI server tells a deleted pod apart itself
    }

    /** The pod's VLAN as the cache has it now, without waiting (CHECK). */
    Optional<VlanAnnotation> current(String namespace, String name) {
        return pods.get().get(namespace, name).map(p -> p.getMetadata().getAnnotations())
                .map(a -> a.get(UnderlayNames.POD_VLAN)).map(VlanAnnotation::parse);
    }
}
