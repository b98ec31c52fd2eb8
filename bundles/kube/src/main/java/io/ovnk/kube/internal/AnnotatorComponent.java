package io.ovnk.kube.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.kube.Annotator;
import java.util.Map;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@link Annotator} service over the process's Kubernetes client. */
@Component(service = Annotator.class)
public final class AnnotatorComponent implements Annotator {

    private final ClientAnnotator annotator;

    @Activate
    public AnnotatorComponent(@Reference KubernetesClient client) {
        this.annotator = new ClientAnnotator(client);
    }

    @Override
    public <T extends HasMetadata> T annotate(Class<T> type, String namespace, String name,
            Function<T, Map<String, String>> changes) {
        return annotator.annotate(type, namespace, name, changes);
    }

    @Override
    public <T extends HasMetadata> T annotate(T known, Function<T, Map<String, String>> changes) {
        return annotator.annotate(known, changes);
    }
}
