package io.ovnk.master.internal;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on the objects the master cannot handle, so that {@code kubectl describe} shows why. Failing
 * to record one is logged at DEBUG only: the reason is in the master's log already.
 */
final class KubeEvents {

    private static final Logger LOG = LoggerFactory.getLogger(KubeEvents.class);

    private final KubernetesClient client;

    KubeEvents(KubernetesClient client) {
        this.client = client;
    }

    void warning(HasMetadata object, String reason, String message) {
        if (client == null) {
            return;
        }
        String namespace = object.getMetadata().getNamespace() == null || object.getMetadata().getNamespace().isEmpty()
                ? "default" : object.getMetadata().getNamespace();
        String now = Instant.now().toString();
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withNamespace(namespace).withName(object.getMetadata().getName() + "."
                            + Long.toHexString(ThreadLocalRandom.current().nextLong())).endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withKind(object.getKind())
                            .withApiVersion(object.getApiVersion()).withNamespace(object.getMetadata().getNamespace())
                            .withName(object.getMetadata().getName()).withUid(object.getMetadata().getUid()).build())
                    .withReason(reason).withMessage(message).withType("Warning").withCount(1)
                    .withFirstTimestamp(now).withLastTimestamp(now)
                    .withNewSource().withComponent("ovnk-master").endSource().build()).create();
        } catch (RuntimeException e) {
            LOG.debug("could not record an Event on {}: {}", object.getMetadata().getName(), e.toString());
        }
    }
}
