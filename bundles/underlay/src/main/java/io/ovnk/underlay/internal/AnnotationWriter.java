package io.ovnk.underlay.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.kube.Annotator;
import io.ovnk.kube.KubeException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one annotation on pods off the caller's thread (the binder must not block): the newest value per pod
 * wins, a failed write is retried with capped exponential backoff on the executor's timer, a pod that is gone is
 * forgotten. The executor belongs to the caller, which shuts it down.
 */
final class AnnotationWriter {

    private static final Logger LOG = LoggerFactory.getLogger(AnnotationWriter.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);

    private final Annotator annotator;
    private final ScheduledExecutorService executor;
    private final String annotation;
    /** By "namespace/name": the value still to write. */
    private final Map<String, String> pending = new ConcurrentHashMap<>();

    AnnotationWriter(Annotator annotator, ScheduledExecutorService executor, String annotation) {
        this.annotator = annotator;
        this.executor = executor;
        this.annotation = annotation;
    }

    /** Sets the annotation of the pod to {@code value}, soon. */
    void write(String namespace, String name, String value) {
        String key = namespace + "/" + name;
        if (pending.put(key, value) == null) {
            schedule(() -> attempt(namespace, name, 1), Duration.ZERO);
        }
    }

    /** Writes not yet done. */
    int pending() {
        return pending.size();
    }

    private void attempt(String namespace, String name, int attempt) {
        String key = namespace + "/" + name;
        String value = pending.get(key);
        if (value == null) {
            return;
        }
        try {
            annotator.annotate(Pod.class, namespace, name, pod -> Map.of(annotation, value));
            LOG.debug("pod {}: {}={}", key, annotation, value);
            pending.remove(key, value);
            if (pending.containsKey(key)) {
                schedule(() -> attempt(namespace, name, 1), Duration.ZERO); // changed meanwhile
            }
        } catch (KubeException.NotFound gone) {
            pending.remove(key);
        } catch (RuntimeException e) {
            Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(attempt - 1, 16));
            if (wait.compareTo(LAST_RETRY) > 0) {
                wait = LAST_RETRY;
            }
            LOG.warn("pod {}: could not write {} (attempt {}), retrying in {} ms: {}", key, annotation, attempt,
                    wait.toMillis(), e.toString());
            schedule(() -> attempt(namespace, name, attempt + 1), wait);
        }
    }

    private void schedule(Runnable task, Duration delay) {
        Objects.requireNonNull(task);
        try {
            executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the component is going away; the next master term writes what is still missing
        }
    }
}
