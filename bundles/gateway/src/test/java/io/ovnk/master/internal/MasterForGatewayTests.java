package io.ovnk.master.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ovnk.ipam.Ipam;
import io.ovnk.kube.internal.ClientAnnotator;
import io.ovnk.kube.internal.InformerHub;
import io.ovnk.ovsdb.OvsdbClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The real master (package-private there), started for the gateway's tests: the topology the gateway hangs on. */
public final class MasterForGatewayTests {

    private static final io.ovnk.network.spi.PodPortBinder BINDER = new io.ovnk.overlay.internal.OverlayPortBinder();

    private MasterForGatewayTests() {
    }

    /** A started master term on the given clients; closing it ends the term. */
    public static AutoCloseable start(OvsdbClient nb, Ipam ipam, InformerHub hub, KubernetesClient client)
            throws Exception {
        MasterContext context = new MasterContext(new Northbound(nb, Duration.ofSeconds(30)), ipam, hub,
                new ClientAnnotator(client), new KubeEvents(client), () -> BINDER);
        Master master = new Master(context, (handler, name, workers) -> {
            hub.addHandler(handler, name, workers);
            return () -> hub.removeHandler(handler);
        }, new Master.Workers(2, 2, 2));
        master.start().get(2, TimeUnit.MINUTES);
        return master;
    }
}
