package io.ovnk.ovn.model;

import io.ovnk.ovsdb.TableModel;
import java.util.List;

/** The databases ovnk talks to, and every model of this package. */
public final class Databases {

    public static final String NORTHBOUND = "OVN_Northbound";
    public static final String SOUTHBOUND = "OVN_Southbound";
    public static final String OPEN_VSWITCH = "Open_vSwitch";

    private Databases() {
    }

    /** Every model, for tools and for checking a server's schemas at once. */
    public static List<TableModel<?>> models() {
        return List.of(
            NbGlobal.MODEL,
            LogicalSwitch.MODEL,
            LogicalSwitchPort.MODEL,
            LogicalRouter.MODEL,
            LogicalRouterPort.MODEL,
            LogicalRouterStaticRoute.MODEL,
            Nat.MODEL,
            LoadBalancer.MODEL,
            LoadBalancerGroup.MODEL,
            Acl.MODEL,
            AddressSet.MODEL,
            PortGroup.MODEL,
            GatewayChassis.MODEL,
            SbGlobal.MODEL,
            Chassis.MODEL,
            Encap.MODEL,
            PortBinding.MODEL,
            OpenVswitch.MODEL,
            Bridge.MODEL,
            Port.MODEL,
            Interface.MODEL);
    }
}
