package io.ovnk.kube.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;

/** Typed operations on a kind, with its list class named explicitly. */
final class Kinds {

    private Kinds() {
    }

    /**
     * {@code client.resources(type)} would find {@code <Type>List} through the calling thread's context class
     * loader, which in a framework belongs to whoever called (Config Admin's thread, a test driver holding its own
     * copy of the model): the list class is taken from the kind's own class loader instead.
     */
    @SuppressWarnings("unchecked")
    static <T extends HasMetadata> MixedOperation<T, KubernetesResourceList<T>, Resource<T>> resources(
            KubernetesClient client, Class<T> type) {
        Class<? extends KubernetesResourceList<T>> listType;
        try {
            listType = (Class<? extends KubernetesResourceList<T>>) Class.forName(type.getName() + "List", true,
                    type.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(type.getName() + " has no list class " + type.getName() + "List", e);
        }
        return (MixedOperation<T, KubernetesResourceList<T>, Resource<T>>) (MixedOperation<T, ?, Resource<T>>) client
                .resources(type, listType);
    }
}
