package io.ovnk.overlay.internal;

import io.ovnk.network.spi.PodInfo;
import io.ovnk.network.spi.PodPortBinder;
import io.ovnk.network.spi.PortBinding;
import org.osgi.service.component.annotations.Component;

/**
 * Overlay pods need nothing beyond what every mode sets: ovn-controller binds the port where an OVS interface
 * carries {@code external_ids:iface-id=<namespace>_<pod>}.
 */
@Component(property = PodPortBinder.MODE + "=overlay")
public final class OverlayPortBinder implements PodPortBinder {

    @Override
    public String mode() {
        return "overlay";
    }

    @Override
    public PortBinding bind(PodInfo pod) {
        return PortBinding.NONE;
    }
}
