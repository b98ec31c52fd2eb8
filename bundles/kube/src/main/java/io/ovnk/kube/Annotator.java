package io.ovnk.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.function.Function;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Writes annotations with a JSON merge patch that carries the object's {@code resourceVersion}, so a write
 * computed from a stale read is refused by the API server; then it reads again, recomputes and retries.
 */
@ProviderType
public interface Annotator {

    /**
     * Reads the object from the API server, asks {@code changes} which annotations to set (a {@code null} value
     * removes one) and patches them, retrying from the read on a conflict.
     *
     * @param namespace {@code null} for cluster-scoped kinds
     * @return the object as the API server stored it
     * @throws KubeException.NotFound when the object does not exist
     * @throws KubeException.Conflict when conflicts persist beyond the retries
     */
    <T extends HasMetadata> T annotate(Class<T> type, String namespace, String name,
            Function<T, Map<String, String>> changes);

    /**
     * As {@link #annotate(Class, String, String, Function)}, but the first attempt is computed from {@code known}
     * (typically the informer's copy) and saves the read; a conflict falls back to reading.
     */
    <T extends HasMetadata> T annotate(T known, Function<T, Map<String, String>> changes);
}
