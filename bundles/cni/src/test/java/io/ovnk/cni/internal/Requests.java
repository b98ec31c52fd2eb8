package io.ovnk.cni.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Builds request bodies as the shim sends them: {"env":{...},"config":"<base64>"}. */
final class Requests {

    static final String POD_UID = "2b5e8b7e-0f6a-4c1e-9d55-7f1d3c2a9e10";

    final Map<String, String> env = new LinkedHashMap<>();
    String config;

    private Requests(String command) {
        env.put("CNI_COMMAND", command);
        env.put("CNI_PATH", "/opt/cni/bin");
        config = "{\"cniVersion\":\"1.1.0\",\"name\":\"ovn-kubernetes\",\"type\":\"ovn-k8s-cni-overlay\"}";
    }

    static Requests of(String command) {
        return new Requests(command);
    }

    /** A complete request for a pod: container ID, netns, ifname and the K8S_POD_* args. */
    static Requests forPod(String command, String netns, String namespace, String name, String uid) {
        return new Requests(command).containerId("c0ffee" + name.hashCode()).netns(netns).ifName("eth0")
                .set("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + namespace + ";K8S_POD_NAME=" + name
                        + ";K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=" + uid);
    }

    Requests set(String name, String value) {
        env.put(name, value);
        return this;
    }

    Requests without(String name) {
        env.remove(name);
        return this;
    }

    Requests containerId(String id) {
        return set("CNI_CONTAINERID", id);
    }

    Requests netns(String netns) {
        return set("CNI_NETNS", netns);
    }

    Requests ifName(String name) {
        return set("CNI_IFNAME", name);
    }

    Requests config(String json) {
        this.config = json;
        return this;
    }

    /** The configuration with cniVersion replaced. */
    Requests version(String version) {
        ObjectNode node = (ObjectNode) CniRequestParser.JSON.readTree(config);
        node.put("cniVersion", version);
        config = node.toString();
        return this;
    }

    /** The configuration with one more top-level field. */
    Requests configField(String name, JsonNode value) {
        ObjectNode node = (ObjectNode) CniRequestParser.JSON.readTree(config);
        node.set(name, value);
        config = node.toString();
        return this;
    }

    byte[] body() {
        ObjectNode root = CniRequestParser.JSON.createObjectNode();
        ObjectNode envNode = root.putObject("env");
        env.forEach(envNode::put);
        root.put("config", Base64.getEncoder().encodeToString(config.getBytes(StandardCharsets.UTF_8)));
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    CniRequest parse() throws CniException {
        return CniRequestParser.parse(body());
    }
}
