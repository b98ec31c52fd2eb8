package io.ovnk.shell;

import java.util.List;

/**
 * Every ovnk component with its verdict. {@code healthy} is false when a component failed, is disabled, or waits for
 * a service that nothing is going to provide as things are configured; components that are not configured (not
 * meant to run in this process) or on standby (waiting for leadership) do not make a process unhealthy.
 */
public record HealthReport(boolean healthy, List<ComponentStatus> components) {

    public HealthReport {
        components = List.copyOf(components);
    }

    public static HealthReport of(List<ComponentStatus> components) {
        return new HealthReport(components.stream().noneMatch(component -> component.verdict().unhealthy()), components);
    }

    /** The components that do not run, worst first. */
    public List<ComponentStatus> notRunning() {
        return components.stream().filter(component -> component.verdict() != ComponentStatus.Verdict.RUNNING)
                .sorted(java.util.Comparator.comparing(ComponentStatus::verdict).thenComparing(ComponentStatus::name))
                .toList();
    }

    public long count(ComponentStatus.Verdict verdict) {
        return components.stream().filter(component -> component.verdict() == verdict).count();
    }
}
