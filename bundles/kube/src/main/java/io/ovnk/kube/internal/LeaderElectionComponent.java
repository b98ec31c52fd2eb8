package io.ovnk.kube.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.kube.Leadership;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands for leadership where {@code io.ovnk.kube.leader} is configured (the master feature does) and keeps a
 * {@link Leadership} service registered exactly while this process leads.
 */
@Component(configurationPid = LeaderElectionComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = LeaderElectionComponent.Config.class)
public final class LeaderElectionComponent {

    static final String PID = "io.ovnk.kube.leader";

    @ObjectClassDefinition(name = "ovnk leader election", description = "Leader election on a Lease, as "
            + "ovn-kubernetes' master does")
    public @interface Config {
        @AttributeDefinition(description = "Namespace of the Lease")
        String lease_namespace() default "ovn-kubernetes";

        @AttributeDefinition(description = "Name of the Lease")
        String lease_name() default "ovnkube-master";

        @AttributeDefinition(description = "This process's identity in the Lease; empty: the host name",
                required = false)
        String identity() default "";

        @AttributeDefinition(description = "How long a Lease is valid without renewal (s)", min = "1")
        long lease_duration_seconds() default 137;

        @AttributeDefinition(description = "How long the leader keeps trying to renew before it gives up (s)",
                min = "1")
        long renew_deadline_seconds() default 107;

        @AttributeDefinition(description = "Pause between attempts to acquire or renew (s)", min = "1")
        long retry_period_seconds() default 26;
    }

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElectionComponent.class);

    private final BundleContext context;
    private final LeaderElection election;
    private ServiceRegistration<Leadership> registration;

    @Activate
    public LeaderElectionComponent(BundleContext context, @Reference KubernetesClient client, Config config) {
        this.context = context;
        LeaderElection.Settings settings;
        try {
            settings = new LeaderElection.Settings(config.lease_namespace(), config.lease_name(),
                    config.identity().isBlank() ? hostName() : config.identity(),
                    Duration.ofSeconds(config.lease_duration_seconds()), Duration.ofSeconds(config.renew_deadline_seconds()),
                    Duration.ofSeconds(config.retry_period_seconds()));
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; not standing for leadership until the configuration is fixed", PID, e.getMessage());
            throw e;
        }
        this.election = new LeaderElection(client, settings, this::lead, this::lost);
        election.start();
    }

    private synchronized void lead(Leadership leadership) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("lease", leadership.lease());
        properties.put("identity", leadership.identity());
        registration = context.registerService(Leadership.class, leadership, properties);
    }

    private synchronized void lost() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping
            }
            registration = null;
        }
    }

    @Deactivate
    void deactivate() {
        election.close();
        lost();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return System.getenv().getOrDefault("HOSTNAME", "ovnk-" + ProcessHandle.current().pid());
        }
    }
}
