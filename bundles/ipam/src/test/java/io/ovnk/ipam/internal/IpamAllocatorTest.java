package io.ovnk.ipam.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ipam.AddressUnavailableException;
import io.ovnk.ipam.AddressUnavailableException.Reason;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.IpamConfigurationException;
import io.ovnk.ipam.MacAddress;
import io.ovnk.ipam.NodeSubnets;
import io.ovnk.ipam.PodAddresses;
import io.ovnk.ipam.Recovery;
import io.ovnk.ipam.Recovery.AddressClaim;
import io.ovnk.ipam.RecoveryReport;
import io.ovnk.ipam.RecoveryReport.Kind;
import io.ovnk.ipam.SubnetExhaustedException;
import io.ovnk.ipam.SubnetUsage;
import io.ovnk.ipam.UnknownNodeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IpamAllocatorTest {

    private static final String[] SERVICES = { "172.16.1.0/24" };
    private static final String[] JOINS = { "100.64.0.0/16", "fd98::/64" };

    static IpamAllocator allocator(String... clusterSubnets) {
        return IpamAllocator.of(clusterSubnets, SERVICES, JOINS, new String[0], new int[0]);
    }

    static IpamSettings settings(String[] cluster, String[] excluded, int[] reserved) {
        return IpamSettings.parse(cluster, SERVICES, JOINS, excluded, reserved);
    }

    private static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    @Test
    void aNodeKeepsItsSubnetAndNodesGetDistinctOnes() {
        IpamAllocator ipam = allocator("10.128.0.0/14/23");
        NodeSubnets first = ipam.allocateNodeSubnets("node1");
        assertEquals(List.of(Cidr.parse("10.128.0.0/23")), first.subnets());
        assertEquals(first, ipam.allocateNodeSubnets("node1"), "asking again changes nothing");
        assertEquals(List.of(Cidr.parse("10.128.2.0/23")), ipam.allocateNodeSubnets("node2").subnets());
        assertEquals(Optional.of(first), ipam.nodeSubnets("node1"));
        assertEquals(List.of(Cidr.parse("10.128.0.1/23")), first.gateways());
        assertEquals(List.of(Cidr.parse("10.128.0.2/23")), first.managementAddresses());
        assertEquals(MacAddress.parse("0a:58:0a:80:00:02"), first.managementMac());
        assertTrue(ipam.releaseNodeSubnets("node1"));
        assertFalse(ipam.releaseNodeSubnets("node1"));
        assertEquals(Optional.empty(), ipam.nodeSubnets("node1"));
        assertEquals(List.of(Cidr.parse("10.128.4.0/23")), ipam.allocateNodeSubnets("node3").subnets(),
                "next-fit: a released subnet is not reused at once");
    }

    @Test
    void dualStackNodesGetOneSubnetPerFamilyAndPodsOneAddressPerFamily() {
        IpamAllocator ipam = allocator("fd00:10:244::/48", "10.128.0.0/14/23");
        NodeSubnets node = ipam.allocateNodeSubnets("node1");
        assertEquals(List.of(Cidr.parse("10.128.0.0/23"), Cidr.parse("fd00:10:244::/64")), node.subnets(), "IPv4 first");
        PodAddresses pod = ipam.allocatePodAddresses("node1");
        assertEquals(List.of(Cidr.parse("10.128.0.3/23"), Cidr.parse("fd00:10:244::3/64")), pod.addresses());
        assertEquals(List.of(ip("10.128.0.1"), ip("fd00:10:244::1")), pod.gateways());
        assertEquals(MacAddress.parse("0a:58:0a:80:00:03"), pod.mac());
    }

    @Test
    void ipv6OnlyPodsGetAStableMacFromTheirAddress() {
        IpamAllocator ipam = allocator("fd00:10:244::/48");
        ipam.allocateNodeSubnets("node1");
        PodAddresses pod = ipam.allocatePodAddresses("node1");
        assertEquals(List.of(Cidr.parse("fd00:10:244::3/64")), pod.addresses());
        assertEquals(MacAddress.forAddress(ip("fd00:10:244::3")), pod.mac());
    }

    @Test
    void podAddressesSkipTheReservedOnesAndComeNextFit() {
        IpamAllocator ipam = IpamAllocator.of(new String[] { "10.0.0.0/24/28" }, SERVICES, JOINS, new String[0],
                new int[] { 5 });
        ipam.allocateNodeSubnets("n"); // 10.0.0.0/28: .0 network, .1 gateway, .2 management, .5 extra, .15 broadcast
        List<String> handedOut = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            handedOut.add(ipam.allocatePodAddresses("n").addresses().get(0).address().toString());
        }
        assertEquals(List.of("10.0.0.3", "10.0.0.4", "10.0.0.6", "10.0.0.7", "10.0.0.8", "10.0.0.9", "10.0.0.10",
                "10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14"), handedOut);
        SubnetExhaustedException full = assertThrows(SubnetExhaustedException.class, () -> ipam.allocatePodAddresses("n"));
        assertEquals(List.of(Cidr.parse("10.0.0.0/28")), full.subnets());
        assertTrue(full.getMessage().contains("10.0.0.0/28"), full.getMessage());
        assertEquals(1, ipam.releasePodAddresses("n", List.of(ip("10.0.0.6"))));
        assertEquals(0, ipam.releasePodAddresses("n", List.of(ip("10.0.0.6"))), "a second release is harmless");
        assertEquals(ip("10.0.0.6"), ipam.allocatePodAddresses("n").addresses().get(0).address());
        ipam.releasePodAddresses("n", List.of(ip("10.0.0.4"), ip("10.0.0.9")));
        assertEquals(ip("10.0.0.9"), ipam.allocatePodAddresses("n").addresses().get(0).address(),
                "next-fit: the search goes on after the last address handed out (.6), not back to the lowest");
    }

    @Test
    void staticAddressesAreHonouredOrRefusedWithTheReason() {
        IpamAllocator ipam = allocator("10.128.0.0/14/23", "fd00:10:244::/48");
        ipam.allocateNodeSubnets("node1");
        ipam.allocateNodeSubnets("node2");
        PodAddresses pod = ipam.allocatePodAddresses("node1", List.of(ip("fd00:10:244::50"), ip("10.128.1.10")));
        assertEquals(List.of(Cidr.parse("10.128.1.10/23"), Cidr.parse("fd00:10:244::50/64")), pod.addresses());
        assertEquals(MacAddress.parse("0a:58:0a:80:01:0a"), pod.mac());

        assertEquals(Reason.TAKEN, refused(ipam, "node1", "10.128.1.10").reason());
        AddressUnavailableException outside = refused(ipam, "node1", "10.128.2.10");
        assertEquals(Reason.OUTSIDE, outside.reason());
        assertTrue(outside.getMessage().contains("outside the node's subnet 10.128.0.0/23"), outside.getMessage());
        AddressUnavailableException gateway = refused(ipam, "node1", "10.128.0.1");
        assertEquals(Reason.RESERVED, gateway.reason());
        assertTrue(gateway.getMessage().contains("gateway"), gateway.getMessage());
        assertEquals(Reason.RESERVED, refused(ipam, "node1", "10.128.1.255").reason(), "broadcast");
        assertEquals(Reason.OUTSIDE, refused(ipam, "node1", "fd00:10:244::1:0:0").reason(),
                "beyond the first 65536 addresses of an IPv6 node subnet");
        assertEquals(Reason.OUTSIDE, refused(ipam, "node1", "192.168.0.10").reason());
        assertThrows(UnknownNodeException.class, () -> ipam.allocatePodAddresses("node9", List.of(ip("10.128.4.10"))));
    }

    @Test
    void aRefusedStaticRequestLeavesNothingTaken() {
        IpamAllocator ipam = allocator("10.128.0.0/14/23", "fd00:10:244::/48");
        ipam.allocateNodeSubnets("node1");
        ipam.allocatePodAddresses("node1", List.of(ip("fd00:10:244::50")));
        assertThrows(AddressUnavailableException.class,
                () -> ipam.allocatePodAddresses("node1", List.of(ip("10.128.0.10"), ip("fd00:10:244::50"))));
        assertEquals(List.of(Cidr.parse("10.128.0.10/23")),
                ipam.allocatePodAddresses("node1", List.of(ip("10.128.0.10"))).addresses(),
                "the IPv4 half of the refused request was given back");
    }

    @Test
    void aPodOnADualStackNodeGetsBothFamiliesOrNeither() {
        IpamAllocator ipam = IpamAllocator.of(new String[] { "10.0.0.0/24/29", "fd00::/48" }, SERVICES, JOINS,
                new String[0], new int[0]);
        ipam.allocateNodeSubnets("n");
        // fill the IPv4 side (a /29 holds 4 pods: .3 to .6) but not the IPv6 one
        for (int i = 0; i < 4; i++) {
            ipam.allocatePodAddresses("n");
        }
        assertThrows(SubnetExhaustedException.class, () -> ipam.allocatePodAddresses("n"));
        int ipv6Used = ipam.usage().stream().filter(u -> u.subnet().family() == Family.IPV6).findFirst().orElseThrow()
                .allocated();
        assertEquals(4, ipv6Used, "the failed allocation took no IPv6 address");
    }

    @Test
    void releasingReservedOrForeignAddressesIsRefusedWholeAndReleasesNothing() {
        IpamAllocator ipam = allocator("10.128.0.0/14/23");
        ipam.allocateNodeSubnets("node1");
        ipam.allocateNodeSubnets("node2");
        IpAddress mine = ipam.allocatePodAddresses("node1").ips().get(0);
        IpAddress theirs = ipam.allocatePodAddresses("node2").ips().get(0);
        assertEquals(Reason.OUTSIDE, assertThrows(AddressUnavailableException.class,
                () -> ipam.releasePodAddresses("node1", List.of(mine, theirs))).reason());
        assertEquals(Reason.RESERVED, assertThrows(AddressUnavailableException.class,
                () -> ipam.releasePodAddresses("node1", List.of(mine, ip("10.128.0.2")))).reason());
        assertEquals(1, ipam.usage().get(0).allocated(), "node1's address is still allocated");
        assertEquals(0, ipam.releasePodAddresses("gone", List.of(ip("10.128.8.3"))),
                "a node without subnets has no addresses to release");
    }

    @Test
    void nodeSubnetsRunOutWithATypedErrorNamingTheClusterSubnets() {
        IpamAllocator ipam = allocator("10.0.0.0/22/24", "fd00::/62");
        for (int i = 0; i < 4; i++) {
            ipam.allocateNodeSubnets("node" + i);
        }
        ipam.releaseNodeSubnets("node0");
        ipam.allocateNodeSubnets("node4"); // takes the freed IPv4 and IPv6 /64 slots
        SubnetExhaustedException full = assertThrows(SubnetExhaustedException.class, () -> ipam.allocateNodeSubnets("node5"));
        assertEquals(List.of(Cidr.parse("10.0.0.0/22")), full.subnets());
        assertTrue(full.getMessage().contains("node node5") && full.getMessage().contains("10.0.0.0/22"), full.getMessage());
        assertEquals(Optional.empty(), ipam.nodeSubnets("node5"), "no half-allocated node");
    }

    @Test
    void aNodeSubnetIsTakenFromTheNextClusterSubnetWhenTheFirstIsFull() {
        IpamAllocator ipam = allocator("10.0.0.0/23/24", "10.1.0.0/16/24");
        assertEquals("10.0.0.0/24", ipam.allocateNodeSubnets("a").subnets().get(0).toString());
        assertEquals("10.0.1.0/24", ipam.allocateNodeSubnets("b").subnets().get(0).toString());
        assertEquals("10.1.0.0/24", ipam.allocateNodeSubnets("c").subnets().get(0).toString());
    }

    @Test
    void exclusionsAreNeverHandedOut() {
        IpamAllocator ipam = IpamAllocator.of(new String[] { "10.0.0.0/22/24" }, SERVICES, JOINS,
                new String[] { "10.0.1.0/24", "10.0.2.16/28" }, new int[0]);
        assertEquals("10.0.0.0/24", ipam.allocateNodeSubnets("a").subnets().get(0).toString());
        assertEquals("10.0.2.0/24", ipam.allocateNodeSubnets("b").subnets().get(0).toString(), "10.0.1.0/24 is excluded");
        Set<IpAddress> given = new HashSet<>();
        for (int i = 0; i < 256 - 4 - 16; i++) { // less network, gateway, management, broadcast and the /28
            given.add(ipam.allocatePodAddresses("b").ips().get(0));
        }
        assertTrue(given.stream().noneMatch(Cidr.parse("10.0.2.16/28")::contains));
        assertThrows(SubnetExhaustedException.class, () -> ipam.allocatePodAddresses("b"));
        AddressUnavailableException excluded = assertThrows(AddressUnavailableException.class,
                () -> ipam.allocatePodAddresses("b", List.of(ip("10.0.2.20"))));
        assertTrue(excluded.getMessage().contains("excluded by excluded.subnets 10.0.2.16/28"), excluded.getMessage());
        assertEquals(new SubnetUsage("b", Cidr.parse("10.0.2.0/24"), 236, 236),
                ipam.usage().stream().filter(u -> u.node().equals("b")).findFirst().orElseThrow());
    }

    @Test
    void recoveryMarksRecordedStateTakenAndReportsConflictsWithBothOwners() {
        IpamAllocator ipam = allocator("10.128.0.0/14/23");
        RecoveryReport report = ipam.recover(new Recovery(
                Map.of("node1", List.of(Cidr.parse("10.128.4.0/23")),
                        "node2", List.of(Cidr.parse("10.128.4.0/23")), // the same subnet as node1's
                        "node3", List.of(Cidr.parse("10.128.6.0/24")), // not a /23 node subnet
                        "node4", List.of(Cidr.parse("10.128.8.0/23"), Cidr.parse("10.128.10.0/23"))), // two of one family
                List.of(new AddressClaim("default/a", "node1", ip("10.128.4.10")),
                        new AddressClaim("default/b", "node1", ip("10.128.4.10")), // a's address
                        new AddressClaim("default/c", "node1", ip("10.128.4.1")), // the gateway
                        new AddressClaim("default/d", "node4", ip("10.128.4.11")), // in node1's subnet
                        new AddressClaim("default/e", "node9", ip("10.200.0.5")), // in no node subnet
                        new AddressClaim("default/f", "node1", ip("10.128.5.200")))));
        assertEquals(2, report.nodeSubnets());
        assertEquals(2, report.addresses());
        List<String> conflicts = report.conflicts().stream().map(Object::toString).toList();
        assertEquals(List.of(
                "subnet 10.128.4.0/23 is claimed by node node2 but already held by node node1",
                "subnet 10.128.6.0/24 claimed by node node3 is outside the node subnets of [10.128.0.0/14/23]",
                "node node4 claims subnet 10.128.10.0/23 but already holds 10.128.8.0/23",
                "address 10.128.4.10 is claimed by pod default/b but already held by pod default/a",
                "address 10.128.4.1 claimed by pod default/c is reserved (the gateway (the cluster router's port))",
                "address 10.128.4.11 claimed by pod default/d on node node4 lies in the subnet of node node1",
                "address 10.200.0.5 claimed by pod default/e is outside every allocated node subnet"), conflicts);
        assertEquals(List.of(Kind.DUPLICATE, Kind.OUTSIDE, Kind.SECOND_SUBNET, Kind.DUPLICATE, Kind.RESERVED,
                Kind.WRONG_NODE, Kind.OUTSIDE), report.conflicts().stream().map(c -> c.kind()).toList());

        assertEquals(Reason.TAKEN, refused(ipam, "node1", "10.128.4.10").reason(), "recovered addresses are taken");
        assertEquals(ip("10.128.5.201"), ipam.allocatePodAddresses("node1").ips().get(0),
                "allocation goes on after the newest recovered address");
        assertNotEquals(Cidr.parse("10.128.4.0/23"), ipam.allocateNodeSubnets("node5").subnets().get(0));
        assertEquals(Optional.empty(), ipam.nodeSubnets("node2"), "the losing claimant got nothing");
    }

    @Test
    void clearingForgetsEverythingButTheConfiguration() {
        IpamAllocator ipam = allocator("10.128.0.0/14/23", "fd00:10:244::/48");
        ipam.allocateNodeSubnets("node1");
        ipam.allocatePodAddresses("node1");
        ipam.clear();
        assertEquals(List.of(), ipam.allNodeSubnets());
        assertEquals(List.of(), ipam.usage());
        assertThrows(UnknownNodeException.class, () -> ipam.allocatePodAddresses("node1"));
        assertEquals(List.of(Cidr.parse("10.128.0.0/23"), Cidr.parse("fd00:10:244::/64")),
                ipam.allocateNodeSubnets("node1").subnets(), "the same subnets are free again");
        assertEquals(List.of(Cidr.parse("100.64.0.0/16"), Cidr.parse("fd98::/64")), ipam.joinSubnets());
        assertEquals(List.of(Cidr.parse("172.16.1.0/24")), ipam.serviceCidrs());
    }

    @Test
    void aLiveReconfigurationKeepsEveryAllocation() {
        IpamAllocator ipam = allocator("10.128.0.0/14/23");
        ipam.allocateNodeSubnets("node1");
        IpAddress pod = ipam.allocatePodAddresses("node1").ips().get(0);
        assertTrue(ipam.reconfigure(settings(new String[] { "10.128.0.0/14/23", "fd00:10:244::/48", "10.132.0.0/14/23" },
                new String[] { "10.128.2.0/23" }, new int[] { 9 })));
        assertEquals(Reason.TAKEN, refused(ipam, "node1", pod.toString()).reason(), "the pod keeps its address");
        assertThrows(UnknownNodeException.class, () -> ipam.allocatePodAddresses("node1"),
                "dual-stack now: node1 holds no IPv6 subnet yet");
        NodeSubnets node1 = ipam.allocateNodeSubnets("node1");
        assertEquals(List.of(Cidr.parse("10.128.0.0/23"), Cidr.parse("fd00:10:244::/64")), node1.subnets(),
                "node1 keeps its IPv4 subnet and gains an IPv6 one");
        assertEquals("10.128.4.0/23", ipam.allocateNodeSubnets("node2").subnets().get(0).toString(), "10.128.2.0/23 is excluded now");
        assertEquals(Reason.RESERVED, refused(ipam, "node1", "10.128.0.9").reason(), "the new reserved offset applies");
        assertFalse(ipam.reconfigure(ipam.settings()), "the same settings again change nothing");
    }

    @Test
    void aReconfigurationThatWouldOrphanAllocationsIsRefusedWhole() {
        IpamAllocator ipam = allocator("10.128.0.0/14/23", "fd00:10:244::/48");
        ipam.allocateNodeSubnets("node1");
        ipam.allocateNodeSubnets("node2");
        IpAddress pod = ipam.allocatePodAddresses("node2").ips().get(0); // 10.128.2.3
        IpamSettings before = ipam.settings();

        IpamConfigurationException moved = assertThrows(IpamConfigurationException.class, () -> ipam.reconfigure(
                settings(new String[] { "10.132.0.0/14/23", "fd00:10:244::/48" }, new String[0], new int[0])));
        assertEquals("cluster.subnets", moved.field());
        assertTrue(moved.getMessage().contains("would orphan 2 allocations")
                && moved.getMessage().contains("node node1 holds 10.128.0.0/23, which lies outside the new cluster "
                        + "subnets [10.132.0.0/14/23]"), moved.getMessage());

        IpamConfigurationException family = assertThrows(IpamConfigurationException.class, () -> ipam.reconfigure(
                settings(new String[] { "10.128.0.0/14/23" }, new String[0], new int[0])));
        assertTrue(family.getMessage().contains("no IPv6 range"), family.getMessage());

        IpamConfigurationException reserved = assertThrows(IpamConfigurationException.class, () -> ipam.reconfigure(
                settings(new String[] { "10.128.0.0/14/23", "fd00:10:244::/48" }, new String[0], new int[] { 3 })));
        assertEquals("reserved.offsets", reserved.field());
        assertTrue(reserved.getMessage().contains("pod address " + pod + " on node node2 would become reserved"),
                reserved.getMessage());

        IpamConfigurationException excluded = assertThrows(IpamConfigurationException.class, () -> ipam.reconfigure(
                settings(new String[] { "10.128.0.0/14/23", "fd00:10:244::/48" }, new String[] { "10.128.0.0/22" },
                        new int[0])));
        assertEquals("excluded.subnets", excluded.field());

        assertEquals(before, ipam.settings(), "nothing was applied");
        assertEquals(2, ipam.allNodeSubnets().size());
        assertEquals(Reason.TAKEN, refused(ipam, "node2", pod.toString()).reason());
        assertEquals(ip("10.128.2.4"), ipam.allocatePodAddresses("node2").ips().get(0), "the pool was not touched");
    }

    private static AddressUnavailableException refused(IpamAllocator ipam, String node, String address) {
        return assertThrows(AddressUnavailableException.class,
                () -> ipam.allocatePodAddresses(node, List.of(ip(address))));
    }
}
