package io.ovnk.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {

    @ParameterizedTest
    @CsvSource({
        "10.128.0.5, 10.128.0.5",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "fd00:10:244::1, fd00:10:244::1",
        "FD00:0010:0244:0000:0000:0000:0000:0001, fd00:10:244::1",
        "::, ::",
        "::1, ::1",
        "1::, 1::",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8::1:0:0:1, 2001:db8::1:0:0:1",
    })
    void parsesAndPrintsCanonically(String text, String canonical) throws Exception {
        IpAddress address = IpAddress.parse(text);
        assertEquals(canonical, address.toString());
        assertEquals(IpAddress.parse(canonical), address);
        assertEquals(InetAddress.getByName(text), address.toInetAddress(), "agrees with the JDK");
        assertEquals(address, IpAddress.of(InetAddress.getByName(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "10.1.2", "10.1.2.3.4", "10.1.2.256", "10.01.2.3", "10.1.2.-3", "a.b.c.d", "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", ":1::", "1:2:3:4:5:6:7::8:9", "1.2.3.4::" , "10.1.2.3 " })
    void refusesMalformedAddressesNamingTheText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpAddress.parse(text));
        assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
    }

    @Test
    void anEmbeddedDottedQuadEndsAnIpv6Address() {
        // the JDK turns ::ffff:a.b.c.d into an IPv4 address; here it stays the IPv6 address it is written as
        assertEquals(IpAddress.ipv6(0, 0xffff_0a01_0203L), IpAddress.parse("::ffff:10.1.2.3"));
        assertEquals(IpAddress.ipv6(0x0064_ff9b_0000_0000L, 0xc000_0221L), IpAddress.parse("64:ff9b::192.0.2.33"));
        assertThrows(IllegalArgumentException.class, () -> IpAddress.parse("1.2.3.4::1"));
    }

    @Test
    void arithmeticCarriesAcrossTheHalves() {
        assertEquals(IpAddress.parse("fd00::1:0:0:0:0"), IpAddress.parse("fd00::ffff:ffff:ffff:ffff").plus(1));
        assertEquals(IpAddress.parse("fd00::ffff:ffff:ffff:ffff"), IpAddress.parse("fd00::1:0:0:0:0").plus(-1));
        assertEquals(IpAddress.parse("0.0.0.0"), IpAddress.parse("255.255.255.255").plus(1));
    }

    @Test
    void cidrsKnowTheirRange() {
        Cidr cidr = Cidr.parse("10.128.5.7/23");
        assertEquals(IpAddress.parse("10.128.4.0"), cidr.network());
        assertEquals(IpAddress.parse("10.128.5.255"), cidr.last());
        assertFalse(cidr.isNetwork());
        assertTrue(cidr.contains(IpAddress.parse("10.128.4.0")));
        assertFalse(cidr.contains(IpAddress.parse("10.128.6.0")));
        assertTrue(Cidr.parse("10.128.0.0/14").contains(Cidr.parse("10.129.0.0/16")));
        assertTrue(Cidr.parse("10.129.0.0/16").overlaps(Cidr.parse("10.128.0.0/14")));
        assertFalse(Cidr.parse("10.132.0.0/14").overlaps(Cidr.parse("10.128.0.0/14")));
        Cidr v6 = Cidr.parse("fd00:10:244:1::/64");
        assertEquals(IpAddress.parse("fd00:10:244:1:ffff:ffff:ffff:ffff"), v6.last());
        assertTrue(Cidr.parse("fd00:10:244::/48").contains(v6));
        assertFalse(v6.contains(IpAddress.parse("fd00:10:244:2::1")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(IpAddress.parse("1.2.3.4")));
        assertFalse(Cidr.parse("0.0.0.0/0").contains(IpAddress.parse("::1")), "families never mix");
    }

    @ParameterizedTest
    @ValueSource(strings = { "10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "fd00::/129", "10.0.0/8", "/8" })
    void refusesMalformedCidrsNamingTheText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertTrue(e.getMessage().contains("\"" + text + "\""), e.getMessage());
    }

    @Test
    void podMacsFollowTheAddress() {
        assertEquals("0a:58:0a:80:00:05", MacAddress.forAddress(IpAddress.parse("10.128.0.5")).toString());
        MacAddress v6 = MacAddress.forAddress(IpAddress.parse("fd00:10:244:1::5"));
        assertEquals(v6, MacAddress.forAddress(IpAddress.parse("fd00:10:244:1::5")), "stable");
        assertTrue(v6.toString().startsWith("0a:58:"), v6.toString());
        assertTrue(!v6.equals(MacAddress.forAddress(IpAddress.parse("fd00:10:244:1::6"))));
        assertEquals(v6, MacAddress.parse(v6.toString()));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("0a:58:0a:80:00"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("0a:58:0a:80:00:zz"));
    }

    @Test
    void clusterSubnetEntriesApplyTheDefaultsAndRules() {
        assertEquals(23, ClusterSubnet.parse("10.128.0.0/14/23").hostPrefix());
        assertEquals(24, ClusterSubnet.parse("10.128.0.0/14").hostPrefix());
        assertEquals(64, ClusterSubnet.parse("fd00:10:244::/48").hostPrefix());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterSubnet.parse("10.128.0.0/14/12"))
                .getMessage().contains("shorter than the cluster subnet"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterSubnet.parse("fd00::/48/80"))
                .getMessage().contains("must be /64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterSubnet.parse("10.128.0.0/14/31"))
                .getMessage().contains("leaves no pod address"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterSubnet.parse("10.128.0.1/14/23"))
                .getMessage().contains("host bits set"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterSubnet.parse("10.128.0.0/14/2x"))
                .getMessage().contains("not a host prefix"));
    }
}
