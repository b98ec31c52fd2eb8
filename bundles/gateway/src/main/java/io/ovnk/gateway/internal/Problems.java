package io.ovnk.gateway.internal;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.kube.OvnAnnotations;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Input the gateway cannot use: one WARN line naming object and field and one Warning Event on the object, once
 * per offending value (a retry or a resync of the same value says nothing new); the object waits for a change.
 */
final class Problems {

    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private final KubernetesClient client;
    private final String component;
    private final Map<String, String> reported = new ConcurrentHashMap<>();

    Problems(KubernetesClient client, String component) {
        this.client = client;
        this.component = component;
    }

    /** Reports once per (object, field, value); returns whether this call reported it. */
    boolean report(HasMetadata object, String field, String value, String reason, String message) {
        String key = OvnAnnotations.describe(object) + "\n" + field;
        if (Objects.equals(reported.put(key, String.valueOf(value)), String.valueOf(value))) {
            return false;
        }
        LOG.warn("{}; it waits for a change", message);
        event(object, reason, message);
        return true;
    }

    /** The object's field is good again (or the object is gone): a new fault is reported anew. */
    void clear(HasMetadata object, String field) {
        reported.remove(OvnAnnotations.describe(object) + "\n" + field);
    }

    void event(HasMetadata object, String reason, String message) {
        if (client == null) {
            return;
        }
        String namespace = object.getMetadata().getNamespace() == null || object.getMetadata().getNamespace().isEmpty()
                ? "default" : object.getMetadata().getNamespace();
        String now = Instant.now().toString();
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withNamespace(namespace)
                    .withName(object.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
                    .endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withKind(object.getKind())
                            .withApiVersion(object.getApiVersion()).withNamespace(object.getMetadata().getNamespace())
                            .withName(object.getMetadata().getName()).withUid(object.getMetadata().getUid()).build())
                    .withType("Warning").withReason(reason).withMessage(message).withCount(1)
                    .withFirstTimestamp(now).withLastTimestamp(now).withNewSource().withComponent(component).endSource()
                    .build()).create();
        } catch (RuntimeException e) {
            LOG.debug("no Event recorded on {}: {}", OvnAnnotations.describe(object), e.toString());
        }
    }
}
