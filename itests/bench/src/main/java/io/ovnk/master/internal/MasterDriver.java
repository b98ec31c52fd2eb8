package io.ovnk.master.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.ipam.Ipam;
import io.ovnk.kube.Annotator;
import io.ovnk.kube.internal.InformerHub;
import io.ovnk.network.spi.PodPortBinder;
import io.ovnk.ovsdb.OvsdbClient;
import java.time.Duration;

/**
 * Builds a master term for the benchmark in plain Java: the master's classes are private to its bundle, and this
 * class shares their package on the benchmark's plain class path.
 */
public final class MasterDriver implements AutoCloseable {

    private final Northbound northbound;
    private final Master master;

    public MasterDriver(OvsdbClient nb, Ipam ipam, InformerHub hub, Annotator annotator, KubernetesClient client,
            PodPortBinder binder, int podWorkers) {
        this.northbound = new Northbound(nb, Duration.ofSeconds(60));
        MasterContext context = new MasterContext(northbound, ipam, hub, annotator, new KubeEvents(client), () -> binder);
        this.master = new Master(context, (handler, name, workers) -> {
            hub.addHandler(handler, name, workers);
            return () -> hub.removeHandler(handler);
        }, new Master.Workers(4, podWorkers, 4));
    }

    public java.util.concurrent.CompletableFuture<Void> start() {
        return master.start();
    }

    /** Northbound transactions this term has committed. */
    public long transactions() {
        return northbound.commits();
    }

    @Override
    public void close() {
        master.close();
    }
}
