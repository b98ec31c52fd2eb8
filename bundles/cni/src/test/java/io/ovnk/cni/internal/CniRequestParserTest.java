package io.ovnk.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.JsonNodeFactory;

class CniRequestParserTest {

    @TempDir
    Path dir;
    String netns;

    @BeforeEach
    void netns() throws Exception {
        netns = Files.createFile(dir.resolve("netns")).toString();
    }

    private Requests add() {
        return Requests.forPod("ADD", netns, "default", "web-1", Requests.POD_UID);
    }

    private static CniException refused(Requests request, int code, String messageStart) {
        CniException e = assertThrows(CniException.class, request::parse);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
        return e;
    }

    private static CniException refused(byte[] body, int code, String messageStart) {
        CniException e = assertThrows(CniException.class, () -> CniRequestParser.parse(body));
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
        return e;
    }

    @Test
    void addReadsEveryFieldOfTheRequest() throws Exception {
        CniRequest request = add().parse();
        assertEquals(CniCommand.ADD, request.command());
        assertEquals("c0ffee" + "web-1".hashCode(), request.containerId());
        assertEquals(netns, request.netns());
        assertEquals("eth0", request.ifName());
        assertEquals(Optional.of(new CniRequest.PodRef("default", "web-1", Requests.POD_UID)), request.pod());
        assertEquals("1", request.args().get("IgnoreUnknown"));
        assertEquals("1.1.0", request.config().cniVersion());
        assertEquals("ovn-kubernetes", request.config().name());
        assertEquals("ovn-k8s-cni-overlay", request.config().type());
        assertEquals("default/web-1", request.lockKey());
    }

    @Test
    void versionNeedsNothingButTheCommand() throws Exception {
        byte[] body = "{\"env\":{\"CNI_COMMAND\":\"VERSION\"}}".getBytes(StandardCharsets.UTF_8);
        assertEquals(CniCommand.VERSION, CniRequestParser.parse(body).command());
        assertEquals(CniCommand.VERSION, Requests.of("VERSION").config("{\"cniVersion\":\"0.1.0\"}").parse().command());
    }

    @Test
    void delNeedsNeitherNetnsNorPod() throws Exception {
        CniRequest request = Requests.of("DEL").containerId("abc").ifName("eth0").parse();
        assertEquals("", request.netns());
        assertEquals(Optional.empty(), request.pod());
        assertEquals("sandbox abc", request.lockKey());
    }

    @Test
    void delAcceptsANetnsThatIsGone() throws Exception {
        CniRequest request = Requests.of("DEL").containerId("abc").ifName("eth0")
                .netns(dir.resolve("gone").toString()).parse();
        assertEquals(dir.resolve("gone").toString(), request.netns());
    }

    @Test
    void gcReadsTheValidAttachments() throws Exception {
        CniRequest request = Requests.of("GC").config("{\"cniVersion\":\"1.1.0\",\"name\":\"ovn-kubernetes\","
                + "\"type\":\"ovn-k8s-cni-overlay\",\"cni.dev/valid-attachments\":[{\"containerID\":\"a\","
                + "\"ifname\":\"eth0\"},{\"containerID\":\"b\",\"ifname\":\"eth0\"}]}").parse();
        assertEquals(List.of(new CniRequest.Attachment("a", "eth0"), new CniRequest.Attachment("b", "eth0")),
                request.config().validAttachments());
    }

    @Test
    void bodyThatIsNotJsonIsADecodingError() {
        refused("{\"env\":".getBytes(StandardCharsets.UTF_8), CniException.DECODING_FAILURE, "request body: not JSON");
        refused("[]".getBytes(StandardCharsets.UTF_8), CniException.DECODING_FAILURE, "request body: expected");
        refused(new byte[0], CniException.DECODING_FAILURE, "request body");
        refused("{\"env\":{}} trailing".getBytes(StandardCharsets.UTF_8), CniException.DECODING_FAILURE,
                "request body: not JSON");
    }

    @Test
    void bodyWithADuplicateKeyIsADecodingError() {
        refused("{\"env\":{\"CNI_COMMAND\":\"ADD\",\"CNI_COMMAND\":\"DEL\"}}".getBytes(StandardCharsets.UTF_8),
                CniException.DECODING_FAILURE, "request body: not JSON");
    }

    @Test
    void bodyWithAnUnknownFieldOrANonStringEnvValueIsRefused() {
        refused("{\"env\":{\"CNI_COMMAND\":\"VERSION\"},\"extra\":1}".getBytes(StandardCharsets.UTF_8),
                CniException.DECODING_FAILURE, "request body: unknown field \"extra\"");
        refused("{\"env\":{\"CNI_COMMAND\":1}}".getBytes(StandardCharsets.UTF_8), CniException.DECODING_FAILURE,
                "request body: env.CNI_COMMAND: expected a string");
        refused("{\"config\":\"\"}".getBytes(StandardCharsets.UTF_8), CniException.DECODING_FAILURE,
                "request body: env: expected an object");
    }

    @Test
    void missingOrUnknownCommandIsAnInvalidEnvironmentVariable() {
        refused(add().without("CNI_COMMAND"), CniException.INVALID_ENVIRONMENT, "CNI_COMMAND: missing");
        refused(add().set("CNI_COMMAND", "UPDATE"), CniException.INVALID_ENVIRONMENT,
                "CNI_COMMAND: unknown command \"UPDATE\"");
    }

    @Test
    void missingOrMalformedContainerIdIsRefused() {
        refused(add().without("CNI_CONTAINERID"), CniException.INVALID_ENVIRONMENT, "CNI_CONTAINERID: missing");
        refused(add().containerId("-abc"), CniException.INVALID_ENVIRONMENT, "CNI_CONTAINERID: \"-abc\"");
        refused(add().containerId("a b"), CniException.INVALID_ENVIRONMENT, "CNI_CONTAINERID: \"a b\"");
    }

    @Test
    void missingNetnsIsRefusedForAdd() {
        refused(add().without("CNI_NETNS"), CniException.INVALID_ENVIRONMENT, "CNI_NETNS: missing");
        refused(add().netns("proc/1/ns/net"), CniException.INVALID_ENVIRONMENT, "CNI_NETNS: \"proc/1/ns/net\" is not "
                + "an absolute path");
    }

    @Test
    void netnsThatDoesNotExistIsAnUnknownContainerForAddAndCheck() {
        String gone = dir.resolve("gone").toString();
        refused(add().netns(gone), CniException.UNKNOWN_CONTAINER, "CNI_NETNS: " + gone + " does not exist");
        refused(Requests.forPod("CHECK", gone, "default", "web-1", "u"), CniException.UNKNOWN_CONTAINER,
                "CNI_NETNS: " + gone);
    }

    @ParameterizedTest
    @ValueSource(strings = { "eth0/1", "eth:0", "eth 0", "eth\t0", "averyveryverylong", ".", ".." })
    void invalidInterfaceNameIsRefusedNamingCniIfname(String name) {
        refused(add().ifName(name), CniException.INVALID_ENVIRONMENT, "CNI_IFNAME: \"" + name + "\"");
    }

    @Test
    void interfaceNameIsCountedInBytes() throws Exception {
        assertEquals("éééééééé", CniRequestParser.ifName("ééééééé") + "é"); // 14 bytes pass
        refused(add().ifName("éééééééé"), CniException.INVALID_ENVIRONMENT, "CNI_IFNAME: \"éééééééé\" is 16 bytes");
        refused(add().without("CNI_IFNAME"), CniException.INVALID_ENVIRONMENT, "CNI_IFNAME: missing");
    }

    @ParameterizedTest
    @ValueSource(strings = { "K8S_POD_NAMESPACE", "K8S_POD_NAME", "K8S_POD_UID" })
    void missingPodArgumentIsRefusedForAdd(String arg) {
        String args = "K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-1;K8S_POD_UID=u".replaceAll(arg + "=[^;]*;?", "")
                .replaceAll(";$", "");
        refused(add().set("CNI_ARGS", args), CniException.INVALID_ENVIRONMENT, "CNI_ARGS: " + arg + " missing");
    }

    @Test
    void malformedCniArgsAreRefused() {
        refused(add().set("CNI_ARGS", "K8S_POD_NAME=a;oops"), CniException.INVALID_ENVIRONMENT,
                "CNI_ARGS: \"oops\" is not KEY=VALUE");
        refused(add().set("CNI_ARGS", "K8S_POD_NAME=a;K8S_POD_NAME=b"), CniException.INVALID_ENVIRONMENT,
                "CNI_ARGS: K8S_POD_NAME is given twice");
        refused(add().set("CNI_ARGS", "K8S_POD_NAMESPACE=a/b;K8S_POD_NAME=b;K8S_POD_UID=u"),
                CniException.INVALID_ENVIRONMENT, "CNI_ARGS: K8S_POD_NAMESPACE \"a/b\"");
    }

    @Test
    void unsupportedCniVersionIsAnIncompatibleVersion() {
        CniException e = refused(add().version("0.2.0"), CniException.INCOMPATIBLE_VERSION,
                "cniVersion: \"0.2.0\" is not supported");
        assertEquals("supported: 0.3.1, 0.4.0, 1.0.0, 1.1.0", e.details());
        refused(Requests.of("STATUS").version("1.0.0"), CniException.INCOMPATIBLE_VERSION,
                "cniVersion: STATUS needs 1.1.0");
    }

    @Test
    void invalidNetworkConfigurationNamesTheField() {
        refused(add().config("{\"name\":\"n\",\"type\":\"t\"}"), CniException.INVALID_NETWORK_CONFIG,
                "cniVersion: missing");
        refused(add().config("{\"cniVersion\":\"1.1.0\",\"type\":\"t\"}"), CniException.INVALID_NETWORK_CONFIG,
                "name: missing");
        refused(add().config("{\"cniVersion\":\"1.1.0\",\"name\":\"a b\",\"type\":\"t\"}"),
                CniException.INVALID_NETWORK_CONFIG, "name: \"a b\" is not a network name");
        refused(add().config("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":7}"),
                CniException.INVALID_NETWORK_CONFIG, "type: expected a non-empty string");
        refused(add().configField("socketPath", JsonNodeFactory.instance.numberNode(1)),
                CniException.INVALID_NETWORK_CONFIG, "socketPath: expected a string");
        refused(add().config(""), CniException.INVALID_NETWORK_CONFIG, "network configuration: empty");
    }

    @Test
    void networkConfigurationThatIsNotJsonIsADecodingError() {
        refused(add().config("{\"cniVersion\":"), CniException.DECODING_FAILURE, "network configuration: not JSON");
        refused(add().config("[1]"), CniException.DECODING_FAILURE, "network configuration: expected a JSON object");
        byte[] notBase64 = ("{\"env\":{\"CNI_COMMAND\":\"STATUS\"},\"config\":\"***\"}").getBytes(StandardCharsets.UTF_8);
        refused(notBase64, CniException.DECODING_FAILURE, "request body: config: not base64");
        refused(("{\"env\":{\"CNI_COMMAND\":\"STATUS\"}}").getBytes(StandardCharsets.UTF_8),
                CniException.DECODING_FAILURE, "request body: config: missing");
    }

    @Test
    void ipamInTheConfigurationIsAnUnsupportedField() {
        refused(add().configField("ipam", JsonNodeFactory.instance.objectNode()), CniException.UNSUPPORTED_FIELD,
                "ipam: not supported");
    }

    @Test
    void checkNeedsPrevResultFromVersion040() throws Exception {
        Requests check = Requests.forPod("CHECK", netns, "default", "web-1", "u");
        refused(check, CniException.INVALID_NETWORK_CONFIG, "prevResult: missing");
        assertEquals(CniCommand.CHECK, Requests.forPod("CHECK", netns, "default", "web-1", "u").version("0.3.1").parse()
                .command());
        CniRequest withPrevious = Requests.forPod("CHECK", netns, "default", "web-1", "u")
                .configField("prevResult", JsonNodeFactory.instance.objectNode()).parse();
        assertTrue(withPrevious.config().prevResult().isPresent());
    }

    @Test
    void gcWithoutValidAttachmentsIsAnInvalidConfiguration() {
        refused(Requests.of("GC"), CniException.INVALID_NETWORK_CONFIG, "cni.dev/valid-attachments: expected an array");
        refused(Requests.of("GC").configField("cni.dev/valid-attachments", JsonNodeFactory.instance.arrayNode()
                .add(JsonNodeFactory.instance.objectNode().put("ifname", "eth0"))), CniException.INVALID_NETWORK_CONFIG,
                "cni.dev/valid-attachments[0].containerID: missing");
    }

    @Test
    void cniArgsParseAsOrderedPairs() throws Exception {
        assertEquals(Map.of("A", "1", "B", ""), CniRequestParser.args("A=1;B="));
        assertEquals(Map.of(), CniRequestParser.args(""));
    }
}
