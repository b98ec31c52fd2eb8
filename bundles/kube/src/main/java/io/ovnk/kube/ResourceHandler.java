package io.ovnk.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Register one as a service to follow a kind of resource. Calls come from the handler's own work queue: one
 * object is never handled by two threads at once and its changes arrive in order, coalesced (a handler that
 * was busy sees the newest state, with the last state it handled as {@code previous}). A call that throws is
 * retried with capped exponential backoff, with whatever state is newest then; other objects and other
 * handlers go on meanwhile. Handlers registered after the informer started first get an {@code added} for
 * every object that exists.
 *
 * <p>Service property {@value #WORKERS} (integer) sets how many objects this handler works on at once
 * (default 2).
 */
@ConsumerType
public interface ResourceHandler<T extends HasMetadata> {

    /** Service property: how many threads work this handler's queue. */
    String WORKERS = "ovnk.kube.workers";

    /** The kind followed, e.g. {@code Pod.class}: Node, Pod, Service, EndpointSlice, Namespace. */
    Class<T> resourceType();

    void added(T resource) throws Exception;

    /** The object changed since {@code previous}, the last state this handler handled without failing. */
    default void updated(T previous, T current) throws Exception {
        added(current);
    }

    /** The object is gone; {@code resource} is its last known state. */
    void deleted(T resource) throws Exception;
}
