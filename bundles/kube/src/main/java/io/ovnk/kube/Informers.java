package io.ovnk.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** The shared informers, one per kind, started when first needed and shared by every consumer. */
@ProviderType
public interface Informers {

    /** The cache of a kind (Node, Pod, Service, EndpointSlice, Namespace); starts its informer if needed. */
    <T extends HasMetadata> Lister<T> lister(Class<T> type);

    /** Every handler's queue, for operators (Gogo {@code kube:queues}) and metrics. */
    List<QueueStats> queues();
}
