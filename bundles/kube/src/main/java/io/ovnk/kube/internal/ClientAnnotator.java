package io.ovnk.kube.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.ovnk.kube.Annotator;
import io.ovnk.kube.KubeException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Annotation writes as JSON merge patches carrying the resourceVersion that was read: the API server refuses
 * a write from a stale read with 409, and the write is recomputed from a fresh read.
 */
public final class ClientAnnotator implements Annotator {

    private static final Logger LOG = LoggerFactory.getLogger(ClientAnnotator.class);
    static final int ATTEMPTS = 8;

    private final KubernetesClient client;

    public ClientAnnotator(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public <T extends HasMetadata> T annotate(Class<T> type, String namespace, String name,
            Function<T, Map<String, String>> changes) {
        return annotate(type, namespace, name, null, changes);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T annotate(T known, Function<T, Map<String, String>> changes) {
        String namespace = known.getMetadata().getNamespace();
        return annotate((Class<T>) known.getClass(), namespace == null || namespace.isEmpty() ? null : namespace,
                known.getMetadata().getName(), known, changes);
    }

    private <T extends HasMetadata> T annotate(Class<T> type, String namespace, String name, T known,
            Function<T, Map<String, String>> changes) {
        String what = type.getSimpleName().toLowerCase(java.util.Locale.ROOT) + " "
                + (namespace == null ? "" : namespace + "/") + name;
        KubernetesClientException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            T current = attempt == 1 && known != null ? known : resource(type, namespace, name).get();
            if (current == null) {
                throw new KubeException.NotFound(what + " does not exist");
            }
            Map<String, String> wanted = changes.apply(current);
            Map<String, String> existing = current.getMetadata().getAnnotations() == null ? Map.of()
                    : current.getMetadata().getAnnotations();
            if (wanted.entrySet().stream().allMatch(change -> Objects.equals(existing.get(change.getKey()),
                    change.getValue()))) {
                return current; // nothing to write
            }
            try {
                // patched through the object itself: a Resource made from a name alone reads the object first
                return item(type, namespace, current).patch(PatchContext.of(PatchType.JSON_MERGE),
                        mergePatch(current.getMetadata().getResourceVersion(), wanted));
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    throw new KubeException.NotFound(what + " was deleted while being annotated");
                }
                if (e.getCode() != 409) {
                    throw e;
                }
                last = e;
                LOG.debug("{}: changed since it was read (attempt {}), reading again", what, attempt);
            }
        }
        throw new KubeException.Conflict(what + ": still changing after " + ATTEMPTS + " attempts to annotate it", last);
    }

    static String mergePatch(String resourceVersion, Map<String, String> annotations) {
        ObjectNode patch = StrictJson.mapper().createObjectNode();
        ObjectNode metadata = patch.putObject("metadata");
        metadata.put("resourceVersion", resourceVersion);
        ObjectNode values = metadata.putObject("annotations");
        new HashMap<>(annotations).forEach((key, value) -> {
            if (value == null) {
                values.putNull(key);
            } else {
                values.put(key, value);
            }
        });
        return patch.toString();
    }

    private <T extends HasMetadata> Resource<T> item(Class<T> type, String namespace, T item) {
        if (Namespaced.class.isAssignableFrom(type)) {
            return Kinds.resources(client, type).inNamespace(namespace).resource(item);
        }
        return Kinds.resources(client, type).resource(item);
    }

    private <T extends HasMetadata> Resource<T> resource(Class<T> type, String namespace, String name) {
        if (Namespaced.class.isAssignableFrom(type)) {
            Objects.requireNonNull(namespace, () -> type.getSimpleName() + " is namespaced: give a namespace");
            return Kinds.resources(client, type).inNamespace(namespace).withName(name);
        }
        return Kinds.resources(client, type).withName(name);
    }
}
