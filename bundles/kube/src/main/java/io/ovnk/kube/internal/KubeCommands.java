package io.ovnk.kube.internal;

import io.ovnk.kube.Informers;
import io.ovnk.kube.Leadership;
import io.ovnk.kube.QueueStats;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** Gogo: {@code kube:queues} (every handler's queue) and {@code kube:leader} (whether this process leads). */
@Component(service = Object.class, property = { "osgi.command.scope=kube", "osgi.command.function=queues",
    "osgi.command.function=leader" })
public final class KubeCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Informers informers;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Leadership leadership;

    public String queues() {
        Informers current = informers;
        if (current == null) {
            return "no informers: io.ovnk.kube is not configured or its client is not up";
        }
        List<QueueStats> stats = current.queues();
        StringBuilder text = new StringBuilder(String.format("%-48s %-14s %7s %6s %8s %8s %10s %8s%n", "HANDLER", "KIND",
                "WORKERS", "DEPTH", "INFLIGHT", "RETRYING", "HANDLED", "FAILED"));
        for (QueueStats queue : stats) {
            text.append(String.format("%-48s %-14s %7d %6d %8d %8d %10d %8d%n", queue.handler(), queue.kind(),
                    queue.workers(), queue.depth(), queue.inFlight(), queue.retrying(), queue.handled(), queue.failures()));
            if (!queue.lastFailure().isEmpty()) {
                text.append("    last failure: ").append(queue.lastFailure()).append('\n');
            }
        }
        return text.toString();
    }

    public String leader() {
        Leadership current = leadership;
        return current == null ? "this process does not lead (or does not stand)"
                : current.identity() + " leads " + current.lease() + " since " + current.since();
    }
}
