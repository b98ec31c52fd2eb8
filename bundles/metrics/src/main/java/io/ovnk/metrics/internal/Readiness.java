package io.ovnk.metrics.internal;

import io.ovnk.shell.ComponentStatus;
import io.ovnk.shell.HealthReport;
import io.ovnk.shell.Reason;
import java.util.List;

/**
 * {@code /readyz}: 200 when no component failed, is disabled or waits for a service nothing will provide; 503
 * otherwise, with one line per such component and reason. Components that are not configured (not meant to run in
 * this process) or on standby (another process leads) are listed after it but do not make the process unready.
 */
final class Readiness {

    record Answer(int status, String body) {
    }

    private Readiness() {
    }

    static Answer of(HealthReport report) {
        if (report == null) {
            return new Answer(503, "not ready: the Health service (bundle io.ovnk.shell) is not running, so readiness "
                    + "cannot be judged\n");
        }
        List<ComponentStatus> notRunning = report.notRunning();
        List<ComponentStatus> blocking = notRunning.stream().filter(component -> component.verdict().unhealthy()).toList();
        StringBuilder body = new StringBuilder(report.healthy() ? "ready" : "not ready");
        body.append(": ").append(report.components().size()).append(" ovnk components, ")
                .append(report.count(ComponentStatus.Verdict.RUNNING)).append(" running");
        if (!blocking.isEmpty()) {
            body.append(", ").append(blocking.size()).append(" not satisfied");
        }
        body.append('\n');
        for (ComponentStatus component : blocking) {
            lines(body, component);
        }
        List<ComponentStatus> others = notRunning.stream().filter(component -> !component.verdict().unhealthy()).toList();
        if (!others.isEmpty()) {
            body.append("not counted against readiness (not meant to run here, or standing by):\n");
            for (ComponentStatus component : others) {
                lines(body, component);
            }
        }
        return new Answer(report.healthy() ? 200 : 503, body.toString());
    }

    private static void lines(StringBuilder body, ComponentStatus component) {
        String subject = "  " + component.name() + (component.configurationId() >= 0 ? " #" + component.configurationId()
                : "") + " (" + component.bundle() + "): " + component.verdict().text();
        if (component.reasons().isEmpty()) {
            body.append(subject).append(": ").append(component.scrState()).append('\n');
        }
        for (Reason reason : component.reasons()) {
            body.append(subject).append(": ").append(reason.text()).append('\n');
        }
    }
}
