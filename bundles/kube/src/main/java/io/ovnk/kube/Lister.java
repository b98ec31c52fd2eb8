package io.ovnk.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Reads from a shared informer's cache: no API request, the state as last seen by the watch. */
@ProviderType
public interface Lister<T extends HasMetadata> {

    /** A namespaced object; use {@code null} as namespace for cluster-scoped kinds (Node, Namespace). */
    Optional<T> get(String namespace, String name);

    List<T> list();

    List<T> list(String namespace);

    /** True once the informer's first list has arrived; before that the cache may be incomplete. */
    boolean hasSynced();

    /** Completes when the informer's first list has arrived (at once if it has); fails if the informer could not start. */
    java.util.concurrent.CompletionStage<Void> synced();
}
