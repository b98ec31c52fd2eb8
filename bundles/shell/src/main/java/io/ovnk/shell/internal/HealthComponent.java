package io.ovnk.shell.internal;

import io.ovnk.shell.Health;
import io.ovnk.shell.HealthReport;
import io.ovnk.shell.internal.ComponentHealth.ServiceSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;

/**
 * The {@link Health} service: a snapshot of SCR, Config Admin and metatype, judged by {@link ComponentHealth}.
 * Services that ovnk components register by code (not in their component description) are named here, so that a
 * component waiting for one is traced to the component that would register it.
 */
@Component(service = Health.class)
public final class HealthComponent implements Health {

    /** Interface name to the components that register it by code, and when. */
    static final Map<String, ServiceSource> SOURCES = Map.of(
            "io.fabric8.kubernetes.client.KubernetesClient",
            new ServiceSource(List.of("io.ovnk.kube.internal.KubeClientComponent"), null),
            "io.ovnk.kube.Leadership",
            new ServiceSource(List.of("io.ovnk.kube.internal.LeaderElectionComponent"),
                    "while this process holds the leader Lease: another process leads, or the election is not decided yet"),
            "io.ovnk.network.spi.PodPlumber",
            new ServiceSource(List.of("io.ovnk.overlay.internal.OverlayNodeComponent",
                    "io.ovnk.underlay.internal.UnderlayNodeComponent"), null));

    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    private final ConfigurationAdmin configurationAdmin;
    /**
     * fabric8's own OSGi component in the re-packaged client bundle: ovnk never uses it (io.ovnk.kube builds the
     * client), so its "not configured" would only be noise.
     */
    static final String FABRIC8_MANAGED_CLIENT = "io.fabric8.kubernetes.client.osgi.ManagedKubernetesClient";

    private final ComponentHealth health = new ComponentHealth(SOURCES, description -> description.bundle.symbolicName != null
            && description.bundle.symbolicName.startsWith("io.ovnk.") && !description.name.equals(FABRIC8_MANAGED_CLIENT));

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MetaTypeService metaType;

    @Activate
    public HealthComponent(BundleContext context, @Reference(name = "scr") ServiceComponentRuntime scr,
            @Reference(name = "configurationAdmin") ConfigurationAdmin configurationAdmin) {
        this.context = context;
        this.scr = scr;
        this.configurationAdmin = configurationAdmin;
    }

    @Override
    public HealthReport check() {
        List<ComponentHealth.Component> components = new ArrayList<>();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            components.add(new ComponentHealth.Component(description, scr.isComponentEnabled(description),
                    List.copyOf(scr.getComponentConfigurationDTOs(description))));
        }
        return health.evaluate(components, new ComponentHealth.Configurations() {
            @Override
            public boolean exists(String pid) {
                try {
                    return configurationAdmin.listConfigurations("(|(service.pid=" + pid + ")(service.factoryPid=" + pid
                            + "))") != null;
                } catch (IOException | InvalidSyntaxException e) {
                    return false;
                }
            }

            @Override
            public boolean isFactory(long bundleId, String pid) {
                MetaTypeService service = metaType;
                Bundle bundle = context.getBundle(bundleId);
                if (service == null || bundle == null) {
                    return false;
                }
                MetaTypeInformation information = service.getMetaTypeInformation(bundle);
                return information != null && Arrays.asList(information.getFactoryPids()).contains(pid);
            }
        });
    }
}
