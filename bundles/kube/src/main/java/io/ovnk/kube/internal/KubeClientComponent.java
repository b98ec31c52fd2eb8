package io.ovnk.kube.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Hashtable;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the fabric8 {@link KubernetesClient} of this process and publishes it as a service. A changed
 * configuration deactivates this component and activates it anew: the old client's service goes, and with it
 * every component that used it (informers, handlers, the leader election), which come back on the new one.
 * Building a client does no network I/O; the first request does.
 */
@Component(configurationPid = KubeClientComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = KubeClientComponent.Config.class)
public final class KubeClientComponent {

    static final String PID = "io.ovnk.kube";

    @ObjectClassDefinition(name = "ovnk Kubernetes client", description = "How to reach the Kubernetes API server. "
            + "With neither api.server nor kubeconfig, the in-cluster service account, $KUBECONFIG or ~/.kube/config")
    public @interface Config {
        @AttributeDefinition(description = "API server URL, https://host:6443", required = false)
        String api_server() default "";

        @AttributeDefinition(description = "A kubeconfig file (its current context)", required = false)
        String kubeconfig() default "";

        @AttributeDefinition(description = "A bearer token", type = AttributeType.PASSWORD, required = false)
        String token() default "";

        @AttributeDefinition(description = "A file holding the bearer token, read again when it changes",
                required = false)
        String token_file() default "";

        @AttributeDefinition(description = "The CA certificate (PEM) that signed the API server's certificate",
                required = false)
        String ca_file() default "";

        @AttributeDefinition(description = "Do not verify the API server's certificate (test clusters only)")
        boolean insecure_skip_tls_verify() default false;

        @AttributeDefinition(description = "Requests per second, sustained", min = "0")
        double qps() default 50;

        @AttributeDefinition(description = "Requests allowed in a burst above qps", min = "1")
        int burst() default 100;

        @AttributeDefinition(description = "Deadline of one request (ms)", min = "1")
        int request_timeout_ms() default 30_000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(KubeClientComponent.class);

    private final KubernetesClient client;
    private final ServiceRegistration<KubernetesClient> registration;

    @Activate
    public KubeClientComponent(BundleContext context, Config config) {
        ClientSettings settings;
        try {
            settings = new ClientSettings(config.api_server(), config.kubeconfig(), config.token(),
                    config.token_file(), config.ca_file(), config.insecure_skip_tls_verify(), config.qps(),
                    config.burst(), config.request_timeout_ms());
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; no Kubernetes client until the configuration is fixed", PID, e.getMessage());
            throw e;
        }
        this.client = build(settings);
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("kube.api.server", String.valueOf(client.getMasterUrl()));
        this.registration = context.registerService(KubernetesClient.class, client, properties);
        LOG.info("Kubernetes client for {} via {}", client.getMasterUrl(), settings.describe());
    }

    /**
     * A client whose HTTP client and kind registry come from the fabric8 bundle: fabric8 looks them up through
     * the thread context class loader, which inside Felix is nobody's in particular.
     */
    public static KubernetesClient build(ClientSettings settings) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        Bundle fabric8 = FrameworkUtil.getBundle(KubernetesClientBuilder.class);
        if (fabric8 != null) {
            thread.setContextClassLoader(fabric8.adapt(BundleWiring.class).getClassLoader());
        }
        try {
            RateLimiter limiter = new RateLimiter(settings.qps(), settings.burst());
            KubernetesSerialization serialization = new KubernetesSerialization();
            // fabric8 fills its kind -> class registry once per framework, from the context class loader of the
            // first thread that deserializes a resource: make that this thread, now, and not an informer's later
            serialization.unmarshal("{\"apiVersion\":\"v1\",\"kind\":\"NodeList\",\"items\":[]}");
            return new KubernetesClientBuilder()
                    .withKubernetesSerialization(serialization)
                    .withHttpClientFactory(new JdkHttpClientFactory())
                    .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("ovnk-rate-limit", limiter))
                    .withConfig(settings.toConfig())
                    .build();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework is stopping and unregistered it first
        }
        client.close();
        LOG.info("Kubernetes client for {} closed", client.getMasterUrl());
    }
}
