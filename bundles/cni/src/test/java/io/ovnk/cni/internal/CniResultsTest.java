package io.ovnk.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PodAttachment;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CniResultsTest {

    private static final PlumbedInterface PLUMBED = new PlumbedInterface("0123456789abcde", "aa:bb:cc:dd:ee:01",
            "eth0", "0a:58:0a:80:00:05", "/var/run/netns/cni-1");
    private static final PodAttachment DUAL_STACK = new PodAttachment("default", "web-1", "u", "0123456789abcdef",
            "/var/run/netns/cni-1", "eth0", "0a:58:0a:80:00:05", List.of("10.128.0.5/23", "fd00:10:128::5/64"),
            List.of("10.128.0.1", "fd00:10:128::1"), List.of(new PodAttachment.Route("172.16.1.0/24", "10.128.0.1")),
            1400);

    private static JsonNode json(String text) {
        return CniRequestParser.JSON.readTree(text);
    }

    @Test
    void addResultFor110HasNoIpVersionsAndPointsIpsAtThePodInterface() {
        assertEquals(json("""
                {"cniVersion":"1.1.0",
                 "interfaces":[{"name":"0123456789abcde","mac":"aa:bb:cc:dd:ee:01"},
                               {"name":"eth0","mac":"0a:58:0a:80:00:05","sandbox":"/var/run/netns/cni-1"}],
                 "ips":[{"address":"10.128.0.5/23","gateway":"10.128.0.1","interface":1},
                        {"address":"fd00:10:128::5/64","gateway":"fd00:10:128::1","interface":1}],
                 "routes":[{"dst":"0.0.0.0/0","gw":"10.128.0.1"},{"dst":"::/0","gw":"fd00:10:128::1"},
                           {"dst":"172.16.1.0/24","gw":"10.128.0.1"}],
                 "dns":{}}"""), CniResults.add("1.1.0", PLUMBED, DUAL_STACK));
    }

    @Test
    void addResultFor100HasNoIpVersions() {
        JsonNode result = CniResults.add("1.0.0", PLUMBED, DUAL_STACK);
        assertEquals("1.0.0", result.get("cniVersion").asString());
        assertEquals(json("{\"address\":\"10.128.0.5/23\",\"gateway\":\"10.128.0.1\",\"interface\":1}"),
                result.get("ips").get(0));
    }

    @Test
    void addResultsFor031And040CarryTheIpVersion() {
        for (String version : List.of("0.3.1", "0.4.0")) {
            JsonNode result = CniResults.add(version, PLUMBED, DUAL_STACK);
            assertEquals(version, result.get("cniVersion").asString());
            assertEquals(json("{\"version\":\"4\",\"address\":\"10.128.0.5/23\",\"gateway\":\"10.128.0.1\","
                    + "\"interface\":1}"), result.get("ips").get(0));
            assertEquals(json("{\"version\":\"6\",\"address\":\"fd00:10:128::5/64\",\"gateway\":\"fd00:10:128::1\","
                    + "\"interface\":1}"), result.get("ips").get(1));
        }
    }

    @Test
    void addressWithoutAGatewayOfItsFamilyHasNoGateway() {
        PodAttachment noGateway = new PodAttachment("default", "web-1", "u", "s", "/n", "eth0", "0a:58:0a:80:00:05",
                List.of("10.128.0.5/23"), List.of(), List.of(), 1400);
        JsonNode result = CniResults.add("1.1.0", PLUMBED, noGateway);
        assertEquals(json("[{\"address\":\"10.128.0.5/23\",\"interface\":1}]"), result.get("ips"));
        assertEquals(json("[]"), result.get("routes"));
    }

    @Test
    void versionAnswerListsEverySupportedVersion() {
        assertEquals(json("{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}"),
                CniResults.version());
    }

    @Test
    void errorCarriesCodeMessageAndDetailsOnlyWhenGiven() {
        assertEquals(json("{\"cniVersion\":\"0.4.0\",\"code\":7,\"msg\":\"name: missing\"}"),
                CniResults.error("0.4.0", new CniException(7, "name: missing")));
        assertEquals(json("{\"cniVersion\":\"1.1.0\",\"code\":1,\"msg\":\"m\",\"details\":\"d\"}"),
                CniResults.error("1.1.0", new CniException(1, "m", "d")));
    }
}
