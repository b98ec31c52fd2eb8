package io.ovnk.shell.internal;

import io.ovnk.shell.ComponentStatus;
import io.ovnk.shell.ComponentStatus.Verdict;
import io.ovnk.shell.HealthReport;
import io.ovnk.shell.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Judges components from what SCR reports (its DTOs, plain data) and which configurations exist: for each one
 * that does not run, why, following a missing service to the component that would provide it and that
 * component's own reason ("waits for KubernetesClient, which comes from KubeClientComponent, which needs
 * configuration io.ovnk.kube"). No OSGi calls: the caller takes the snapshot, so a Gogo command, a health endpoint
 * and a unit test use it alike.
 */
public final class ComponentHealth {

    /** One component as SCR describes it, whether it is enabled, and its configurations (none: SCR made none). */
    public record Component(ComponentDescriptionDTO description, boolean enabled,
            List<ComponentConfigurationDTO> configurations) {

        public Component {
            configurations = List.copyOf(configurations);
        }

        String key() {
            return description.bundle.id + "/" + description.name;
        }
    }

    /** Which configurations exist (Config Admin) and which PIDs are factory PIDs (metatype). */
    public interface Configurations {
        /** A configuration with this PID, or a factory configuration of this factory PID, exists. */
        boolean exists(String pid);

        boolean isFactory(long bundleId, String pid);
    }

    /**
     * A service that components register by code, not declared in their component description, and the condition
     * under which it exists ({@code null}: whenever its component runs).
     */
    public record ServiceSource(List<String> components, String condition) {

        public ServiceSource {
            components = List.copyOf(components);
        }
    }

    private final Map<String, ServiceSource> sources;
    private final Predicate<ComponentDescriptionDTO> reported;

    /**
     * @param sources interface name to the components that register it by code; for these interfaces they are the
     *        only providers followed (another component declaring the interface is not how ovnk provides it)
     * @param reported which components to report; every component is still followed as a provider
     */
    public ComponentHealth(Map<String, ServiceSource> sources, Predicate<ComponentDescriptionDTO> reported) {
        this.sources = Map.copyOf(sources);
        this.reported = reported;
    }

    public HealthReport evaluate(List<Component> components, Configurations configurations) {
        return new Run(components, configurations).report();
    }

    static String scrState(int state) {
        return switch (state) {
        case ComponentConfigurationDTO.ACTIVE -> "active";
        case ComponentConfigurationDTO.SATISFIED -> "satisfied";
        case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "unsatisfied reference";
        case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "unsatisfied configuration";
        case ComponentConfigurationDTO.FAILED_ACTIVATION -> "failed activation";
        default -> "state " + state;
        };
    }

    /** One evaluation: memoises each component's statuses, since providers are followed from many references. */
    private final class Run {
        private final List<Component> components;
        private final Configurations configurations;
        private final Map<String, List<ComponentStatus>> judged = new HashMap<>();
        private final Set<String> visiting = new HashSet<>();

        Run(List<Component> components, Configurations configurations) {
            this.components = components;
            this.configurations = configurations;
        }

        HealthReport report() {
            List<ComponentStatus> statuses = new ArrayList<>();
            for (Component component : components) {
                if (reported.test(component.description())) {
                    statuses.addAll(judge(component));
                }
            }
            statuses.sort(java.util.Comparator.comparing(ComponentStatus::bundle).thenComparing(ComponentStatus::name)
                    .thenComparingLong(ComponentStatus::configurationId));
            return HealthReport.of(statuses);
        }

        private List<ComponentStatus> judge(Component component) {
            List<ComponentStatus> done = judged.get(component.key());
            if (done != null) {
                return done;
            }
            visiting.add(component.key());
            try {
                List<ComponentStatus> statuses = statuses(component);
                judged.put(component.key(), statuses);
                return statuses;
            } finally {
                visiting.remove(component.key());
            }
        }

        private List<ComponentStatus> statuses(Component component) {
            ComponentDescriptionDTO description = component.description();
            if (!component.enabled()) {
                return List.of(status(description, -1, Verdict.DISABLED, "disabled", List.of(Reason.disabled())));
            }
            if (component.configurations().isEmpty()) {
                List<Reason> missing = missingConfigurations(description);
                if (!missing.isEmpty()) {
                    return List.of(status(description, -1, Verdict.NOT_CONFIGURED, "unsatisfied configuration", missing));
                }
                String pids = String.join(", ", description.configurationPid);
                return List.of(status(description, -1, Verdict.WAITING, "no configuration",
                        List.of(new Reason(Reason.Kind.MISSING_CONFIGURATION, "configuration " + pids + " exists but SCR "
                                + "has made no component of it yet (it does so right after a configuration arrives; if this "
                                + "stays, the configuration may be bound to another bundle)", pids, null, null, null))));
            }
            List<ComponentStatus> statuses = new ArrayList<>();
            for (ComponentConfigurationDTO configuration : component.configurations()) {
                statuses.add(status(component, configuration));
            }
            return statuses;
        }

        private ComponentStatus status(Component component, ComponentConfigurationDTO configuration) {
            ComponentDescriptionDTO description = component.description();
            String state = scrState(configuration.state);
            switch (configuration.state) {
            case ComponentConfigurationDTO.ACTIVE, ComponentConfigurationDTO.SATISFIED:
                return status(description, configuration.id, Verdict.RUNNING, state, List.of());
            case ComponentConfigurationDTO.FAILED_ACTIVATION:
                return status(description, configuration.id, Verdict.FAILED, state, List.of(Reason.failed(
                        configuration.failure == null ? "(SCR gave no reason; see the log)" : firstLine(configuration.failure))));
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION: {
                List<Reason> missing = missingConfigurations(description);
                return status(description, configuration.id, Verdict.NOT_CONFIGURED, state, missing.isEmpty()
                        ? List.of(Reason.missingConfiguration(String.join(", ", description.configurationPid), false))
                        : missing);
            }
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE: {
                List<Reason> reasons = new ArrayList<>();
                UnsatisfiedReferenceDTO[] unsatisfied = configuration.unsatisfiedReferences == null
                        ? new UnsatisfiedReferenceDTO[0] : configuration.unsatisfiedReferences;
                for (UnsatisfiedReferenceDTO reference : unsatisfied) {
                    reasons.add(explain(description, reference));
                }
                boolean standby = !reasons.isEmpty()
                        && reasons.stream().allMatch(reason -> reason.kind() == Reason.Kind.CONDITIONAL_REFERENCE);
                return status(description, configuration.id, standby ? Verdict.STANDBY : Verdict.WAITING, state, reasons);
            }
            default:
                return status(description, configuration.id, Verdict.WAITING, state, List.of());
            }
        }

        /** The required PIDs of a component (policy require) that have no configuration. */
        private List<Reason> missingConfigurations(ComponentDescriptionDTO description) {
            if (!"require".equals(description.configurationPolicy) || description.configurationPid == null) {
                return List.of();
            }
            List<Reason> missing = new ArrayList<>();
            for (String pid : description.configurationPid) {
                if (!configurations.exists(pid)) {
                    missing.add(Reason.missingConfiguration(pid, configurations.isFactory(description.bundle.id, pid)));
                }
            }
            return missing;
        }

        private Reason explain(ComponentDescriptionDTO description, UnsatisfiedReferenceDTO unsatisfied) {
            ReferenceDTO reference = Arrays.stream(description.references == null ? new ReferenceDTO[0] : description.references)
                    .filter(candidate -> candidate.name.equals(unsatisfied.name)).findFirst().orElse(null);
            String interfaceName = reference == null ? "?" : reference.interfaceName;
            String target = unsatisfied.target != null ? unsatisfied.target : reference == null ? null : reference.target;
            ServiceSource source = sources.get(interfaceName);
            List<Component> providers = new ArrayList<>();
            for (Component component : components) {
                String[] declared = component.description().serviceInterfaces;
                boolean declares = declared != null && Arrays.asList(declared).contains(interfaceName);
                boolean registers = source != null && source.components().contains(component.description().name);
                if (source == null ? declares : registers) {
                    providers.add(component);
                }
            }
            if (providers.isEmpty()) {
                return Reason.reference(false, unsatisfied.name, interfaceName, target, "no such service, and no "
                        + "component in this process provides one (is the bundle that provides it installed and started?)");
            }
            List<String> explanations = new ArrayList<>();
            boolean conditional = true;
            for (Component provider : providers) {
                String name = provider.description().name;
                if (visiting.contains(provider.key())) {
                    explanations.add("it would come from " + name + ", which itself waits for this component (a cycle)");
                    conditional = false;
                    continue;
                }
                ComponentStatus best = judge(provider).stream()
                        .max(java.util.Comparator.comparing(ComponentStatus::verdict)).orElseThrow();
                if (best.verdict() == Verdict.RUNNING) {
                    if (source != null && source.condition() != null && source.components().contains(name)) {
                        explanations.add("registered by " + name + " only " + source.condition());
                        continue;
                    }
                    conditional = false;
                    String[] pids = provider.description().configurationPid;
                    // a configured provider's services carry its configuration's properties: say which one is missing
                    String configured = pids == null || pids.length == 0 ? ""
                            : "; a configuration " + String.join(", ", pids) + " with those properties would provide one, "
                                    + "and there is none";
                    explanations.add(target != null ? name + " runs, but none of its services matches " + target
                            + configured : name + " runs but has not registered it");
                } else {
                    conditional = false;
                    String why = best.reasons().isEmpty() ? best.scrState() : best.reasons().get(0).text();
                    explanations.add("it comes from " + name + ", which " + switch (best.verdict()) {
                    case NOT_CONFIGURED -> why;
                    case FAILED -> "failed: " + why;
                    case DISABLED -> "is disabled";
                    default -> "waits: " + why;
                    });
                }
            }
            return Reason.reference(conditional, unsatisfied.name, interfaceName, target, String.join("; ", explanations));
        }

        private ComponentStatus status(ComponentDescriptionDTO description, long id, Verdict verdict, String state,
                List<Reason> reasons) {
            return new ComponentStatus(description.bundle.symbolicName, description.name, id, verdict, state, reasons);
        }
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }
}
