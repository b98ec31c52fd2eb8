package io.ovnk.ipam.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ipam.ClusterSubnet;
import io.ovnk.ipam.IpamConfigurationException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpamSettingsTest {

    private static final String[] NONE = {};
    private static final String[] SERVICES = { "172.16.1.0/24" };
    private static final String[] JOINS = { "100.64.0.0/16", "fd98::/64" };

    @Test
    void parsesTheDefaultsOfOvnKubernetes() {
        IpamSettings settings = IpamSettings.parse(new String[] { "10.128.0.0/14/23", "fd00:10:244::/48" }, SERVICES,
                JOINS, new String[] { "10.128.8.0/21" }, new int[] { 4, 3 });
        assertEquals(List.of(ClusterSubnet.parse("10.128.0.0/14/23"), ClusterSubnet.parse("fd00:10:244::/48/64")),
                settings.clusterSubnets());
        assertArrayEquals(new int[] { 3, 4 }, settings.reservedOffsets(), "sorted");
    }

    @Test
    void aBlankSingleEntryIsAnEmptyList() {
        IpamSettings settings = IpamSettings.parse(new String[] { "10.128.0.0/14/23" }, new String[] { "" },
                new String[] { " " }, new String[] { "" }, null);
        assertTrue(settings.serviceCidrs().isEmpty() && settings.joinSubnets().isEmpty()
                && settings.excludedSubnets().isEmpty() && settings.reservedOffsets().length == 0);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // cluster subnets: malformed, host prefix shorter than the CIDR, overlapping entries, empty
        "10.128.0.0/33/24                 | cluster.subnets[0] | out of range",
        "10.128.0.0.0/14                  | cluster.subnets[0] | not an IP address",
        "10.128.0.0/14/12                 | cluster.subnets[0] | shorter than the cluster subnet",
        "10.128.0.0/14/23;10.130.0.0/16   | cluster.subnets[1] | overlaps cluster.subnets[0] 10.128.0.0/14",
        "fd00::/48/72                     | cluster.subnets[0] | must be /64",
        "10.128.0.0/14/30                 | cluster.subnets[0] | leaves no pod address",
        "10.128.0.0/14/23;                | cluster.subnets[1] | empty entry",
        "10.128.0.0/14/23; 10.0.0.1/8     | cluster.subnets[1] | host bits set",
    })
    void refusesBadClusterSubnetsNamingTheEntry(String entries, String field, String why) {
        IpamConfigurationException e = assertThrows(IpamConfigurationException.class,
                () -> IpamSettings.parse(entries.split(";", -1), SERVICES, JOINS, NONE, null));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void refusesNoClusterSubnetAtAll() {
        assertEquals("cluster.subnets", assertThrows(IpamConfigurationException.class,
                () -> IpamSettings.parse(NONE, SERVICES, JOINS, NONE, null)).field());
    }

    @Test
    void refusesServiceAndJoinRangesInsideTheClusterNamingBoth() {
        IpamConfigurationException service = assertThrows(IpamConfigurationException.class, () -> IpamSettings.parse(
                new String[] { "10.128.0.0/14/23" }, new String[] { "172.30.0.0/16", "10.129.0.0/16" }, JOINS, NONE, null));
        assertEquals("service.cidrs[1]", service.field());
        assertTrue(service.getMessage().contains("10.129.0.0/16 overlaps cluster.subnets[0] 10.128.0.0/14"),
                service.getMessage());
        IpamConfigurationException join = assertThrows(IpamConfigurationException.class, () -> IpamSettings.parse(
                new String[] { "100.64.0.0/10/24" }, SERVICES, JOINS, NONE, null));
        assertEquals("join.subnets[0]", join.field());
        IpamConfigurationException joinService = assertThrows(IpamConfigurationException.class, () -> IpamSettings
                .parse(new String[] { "10.128.0.0/14/23" }, new String[] { "100.64.0.0/24" }, JOINS, NONE, null));
        assertTrue(joinService.getMessage().contains("overlaps service.cidrs[0] 100.64.0.0/24"), joinService.getMessage());
    }

    @Test
    void refusesExclusionsThatAreOutsideOrOverlap() {
        String[] cluster = { "10.128.0.0/14/23" };
        IpamConfigurationException outside = assertThrows(IpamConfigurationException.class,
                () -> IpamSettings.parse(cluster, SERVICES, JOINS, new String[] { "192.168.0.0/16" }, null));
        assertEquals("excluded.subnets[0]", outside.field());
        assertTrue(outside.getMessage().contains("outside every cluster subnet"), outside.getMessage());
        IpamConfigurationException overlap = assertThrows(IpamConfigurationException.class, () -> IpamSettings.parse(
                cluster, SERVICES, JOINS, new String[] { "10.128.0.0/24", "10.128.0.128/25" }, null));
        assertEquals("excluded.subnets[1]", overlap.field());
        assertTrue(overlap.getMessage().contains("overlaps excluded.subnets[0] 10.128.0.0/24"), overlap.getMessage());
        assertEquals("service.cidrs[0]", assertThrows(IpamConfigurationException.class, () -> IpamSettings.parse(
                cluster, new String[] { "not-a-cidr" }, JOINS, NONE, null)).field());
    }

    @Test
    void refusesReservedOffsetsThatAreAlwaysReservedOrOutOfRange() {
        String[] cluster = { "10.128.0.0/14/26" };
        IpamConfigurationException low = assertThrows(IpamConfigurationException.class,
                () -> IpamSettings.parse(cluster, SERVICES, JOINS, NONE, new int[] { 3, 2 }));
        assertEquals("reserved.offsets[1]", low.field());
        IpamConfigurationException high = assertThrows(IpamConfigurationException.class,
                () -> IpamSettings.parse(cluster, SERVICES, JOINS, NONE, new int[] { 63 }));
        assertTrue(high.getMessage().contains("not a host offset of a /26 node subnet"), high.getMessage());
    }
}
