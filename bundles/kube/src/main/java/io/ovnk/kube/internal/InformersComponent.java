package io.ovnk.kube.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.kube.Informers;
import io.ovnk.kube.Lister;
import io.ovnk.kube.QueueStats;
import io.ovnk.kube.ResourceHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The shared informers of the process's Kubernetes client, and the whiteboard of {@link ResourceHandler}
 * services they feed. A new client (changed configuration) means a new instance of this component. Immediate:
 * handlers must be fed even when nobody asks for the {@link Informers} service itself.
 */
@Component(service = Informers.class, configurationPid = InformersComponent.PID, immediate = true)
@Designate(ocd = InformersComponent.Config.class)
public final class InformersComponent implements Informers {

    static final String PID = "io.ovnk.kube.informers";

    @ObjectClassDefinition(name = "ovnk informers", description = "Shared informers and the handlers' work queues")
    public @interface Config {
        @AttributeDefinition(description = "Re-deliver every object as an update this often (s); 0: never", min = "0")
        long resync_seconds() default 0;

        @AttributeDefinition(description = "Watch only the pods of this node (a node-role process); empty: all pods",
                required = false)
        String pod_node() default "";

        @AttributeDefinition(description = "Workers per handler unless its service property ovnk.kube.workers says",
                min = "1")
        int workers() default 2;

        @AttributeDefinition(description = "First retry delay of a failed handler call (ms); doubles per attempt",
                min = "1")
        long retry_base_ms() default 5;

        @AttributeDefinition(description = "Longest retry delay (ms)", min = "1")
        long retry_max_ms() default 60_000;
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InformersComponent.class);

    private final InformerHub hub;

    @Activate
    public InformersComponent(@Reference KubernetesClient client, Config config) {
        this.hub = new InformerHub(client, new InformerHub.Settings(Duration.ofSeconds(config.resync_seconds()),
                config.pod_node(), new Backoff(Duration.ofMillis(config.retry_base_ms()),
                        Duration.ofMillis(Math.max(config.retry_max_ms(), config.retry_base_ms()))),
                config.workers()));
    }

    @Reference(service = ResourceHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addHandler(ResourceHandler<?> handler, Map<String, Object> properties) {
        String name = properties.getOrDefault("component.name", handler.getClass().getName()) + "#"
                + properties.get("service.id");
        int workers;
        try {
            workers = workers(properties.get(ResourceHandler.WORKERS));
        } catch (NumberFormatException e) {
            LOG.error("handler {}: service property {} = \"{}\" is not a whole number; using the default", name,
                    ResourceHandler.WORKERS, properties.get(ResourceHandler.WORKERS));
            workers = 0;
        }
        try {
            hub.addHandler(handler, name, workers);
        } catch (RuntimeException e) {
            // a handler that cannot be fed (no resource type, a kind the client does not know) must not take the
            // informers of every other handler down with it
            LOG.error("handler {}: cannot follow {}: {}", name, safeType(handler), e.toString());
        }
    }

    private static String safeType(ResourceHandler<?> handler) {
        try {
            return String.valueOf(handler.resourceType());
        } catch (RuntimeException e) {
            return "its resource type (" + e + ")";
        }
    }

    void removeHandler(ResourceHandler<?> handler) {
        hub.removeHandler(handler);
    }

    private static int workers(Object value) {
        if (value instanceof Number number) {
            return number.intValue();
        }
        if (value instanceof String text && !text.isBlank()) {
            int parsed = Integer.parseInt(text.strip());
            if (parsed < 1) {
                throw new NumberFormatException("below 1");
            }
            return parsed;
        }
        return 0; // the configured default
    }

    @Deactivate
    void deactivate() {
        hub.close();
    }

    @Override
    public <T extends HasMetadata> Lister<T> lister(Class<T> type) {
        return hub.lister(type);
    }

    @Override
    public List<QueueStats> queues() {
        return hub.queues();
    }
}
