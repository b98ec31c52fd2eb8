package io.ovnk.master.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.ovnk.ipam.Ipam;
import io.ovnk.kube.AnnotationException;
import io.ovnk.kube.AnnotationProblems;
import io.ovnk.kube.Annotator;
import io.ovnk.kube.Informers;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.network.spi.PodPortBinder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the controllers share: the Northbound writers, the IPAM, the Kubernetes side and the problem book. */
final class MasterContext {

    private static final Logger LOG = LoggerFactory.getLogger(MasterContext.class);

    final Northbound nb;
    final MasterMetrics metrics;
    final ClusterTopology topology;
    final NodeNetwork nodes;
    final PodPorts pods;
    final ServiceBalancers services;
    final Ipam ipam;
    final Informers informers;
    final Annotator annotator;
    final KubeEvents events;
    final Supplier<PodPortBinder> binder;
    final AnnotationProblems problems = new AnnotationProblems();
    final PodAddressBook addresses = new PodAddressBook();
    /** The problem book's key for {@link #pending}: not an annotation, the mode's binding of the pod. */
    static final String PENDING = "(binding)";

    MasterContext(Northbound nb, Ipam ipam, Informers informers, Annotator annotator, KubeEvents events,
            Supplier<PodPortBinder> binder) {
        this(nb, ipam, informers, annotator, events, binder, new MasterMetrics());
    }

    MasterContext(Northbound nb, Ipam ipam, Informers informers, Annotator annotator, KubeEvents events,
            Supplier<PodPortBinder> binder, MasterMetrics metrics) {
        this.metrics = metrics;
        this.nb = nb;
        this.topology = new ClusterTopology(nb, ipam.joinSubnets());
        this.nodes = new NodeNetwork(nb);
        this.pods = new PodPorts(nb);
        this.services = new ServiceBalancers(nb);
        this.ipam = ipam;
        this.informers = informers;
        this.annotator = annotator;
        this.events = events;
        this.binder = binder;
    }

    /**
     * Reports a problem with an object once per change of the offending value: one WARN line naming object and
     * field, and a Warning Event on the object. The object then waits for a change.
     */
    void problem(HasMetadata object, String field, String value, String reason, String message) {
        // the exception is only the "once per value" key here; the message is complete as given
        AnnotationException key = new AnnotationException(OvnAnnotations.describe(object), field, value, message);
        if (problems.firstReport(key)) {
            LOG.warn("{}; waiting for it to change", message);
            events.warning(object, reason, message);
        }
    }

    /**
     * A mode that cannot bind a pod yet (retried by the pod queue, which logs it): one Warning Event
     * {@code BindingPending} on the pod per distinct reason.
     */
    void pending(HasMetadata object, String mode, String message) {
        AnnotationException key = new AnnotationException(OvnAnnotations.describe(object), PENDING, mode + ": " + message,
                message);
        if (problems.firstReport(key)) {
            events.warning(object, "BindingPending", message);
        }
    }

    void problem(HasMetadata object, AnnotationException problem) {
        if (problems.firstReport(problem)) {
            LOG.warn("{}; waiting for it to change", problem.getMessage());
            events.warning(object, "InvalidAnnotation", problem.getMessage());
        }
    }
}
