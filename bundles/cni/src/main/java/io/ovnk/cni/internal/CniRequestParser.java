package io.ovnk.cni.internal;

import io.ovnk.cni.internal.CniRequest.Attachment;
import io.ovnk.cni.internal.CniRequest.NetworkConfig;
import io.ovnk.cni.internal.CniRequest.PodRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the shim's request body, {@code {"env":{...},"config":"<base64>"}}, strictly: every fault is a
 * {@link CniException} with the CNI code for it and a message that starts with the field it is about
 * ({@code CNI_IFNAME: "eth0/1" contains '/'}).
 */
public final class CniRequestParser {

    /** Strict: a key given twice or anything after the value is a decoding error, not a silent choice. */
    static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** As the CNI spec says for container IDs. */
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,255}");
    /** As the CNI spec says for network names. */
    private static final Pattern NETWORK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]*");
    private static final int MAX_IFNAME_BYTES = 15;

    private CniRequestParser() {
    }

    public static CniRequest parse(byte[] body) throws CniException {
        JsonNode root = readJson(body, "request body");
        if (!root.isObject()) {
            throw new CniException(CniException.DECODING_FAILURE, "request body: expected a JSON object, found "
                    + kind(root));
        }
        for (String field : root.propertyNames()) {
            if (!field.equals("env") && !field.equals("config")) {
                throw new CniException(CniException.DECODING_FAILURE, "request body: unknown field \"" + field + "\"");
            }
        }
        Map<String, String> env = env(root.get("env"));
        CniCommand command = command(env);
        NetworkConfig config = config(root.get("config"), command);

        if (command == CniCommand.VERSION || command == CniCommand.STATUS || command == CniCommand.GC) {
            return new CniRequest(command, "", "", "", Optional.empty(), Map.of(), config);
        }
        boolean strict = command != CniCommand.DEL;
        String containerId = required(env, "CNI_CONTAINERID");
        if (!CONTAINER_ID.matcher(containerId).matches()) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_CONTAINERID: \"" + containerId
                    + "\" is not a container ID (letters, digits, '_', '.', '-', starting with a letter or digit)");
        }
        String ifName = ifName(required(env, "CNI_IFNAME"));
        String netns = netns(env.getOrDefault("CNI_NETNS", ""), strict);
        Map<String, String> args = args(env.getOrDefault("CNI_ARGS", ""));
        Optional<PodRef> pod = pod(args, strict);
        if (command == CniCommand.CHECK && CniVersions.atLeast(config.cniVersion(), "0.4.0")
                && config.prevResult().isEmpty()) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "prevResult: missing (CHECK needs it from "
                    + "cniVersion 0.4.0 on)");
        }
        return new CniRequest(command, containerId, netns, ifName, pod, args, config);
    }

    private static JsonNode readJson(byte[] bytes, String what) throws CniException {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new CniException(CniException.DECODING_FAILURE, what + ": empty");
            }
            return node;
        } catch (JacksonException e) {
            throw new CniException(CniException.DECODING_FAILURE, what + ": not JSON: " + e.getOriginalMessage());
        }
    }

    private static Map<String, String> env(JsonNode node) throws CniException {
        if (node == null || !node.isObject()) {
            throw new CniException(CniException.DECODING_FAILURE, "request body: env: expected an object, found "
                    + kind(node));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isString()) {
                throw new CniException(CniException.DECODING_FAILURE, "request body: env." + entry.getKey()
                        + ": expected a string, found " + kind(entry.getValue()));
            }
            env.put(entry.getKey(), entry.getValue().asString());
        }
        return env;
    }

    private static CniCommand command(Map<String, String> env) throws CniException {
        String value = required(env, "CNI_COMMAND");
        try {
            return CniCommand.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_COMMAND: unknown command \"" + value
                    + "\" (ADD, DEL, CHECK, STATUS, VERSION, GC)");
        }
    }

    private static String required(Map<String, String> env, String name) throws CniException {
        String value = env.get(name);
        if (value == null || value.isEmpty()) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, name + ": missing");
        }
        return value;
    }

    /** A Linux interface name: 1-15 bytes, not "." or "..", no '/', ':' or whitespace. */
    static String ifName(String value) throws CniException {
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_IFNAME_BYTES) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_IFNAME: \"" + value + "\" is " + bytes
                    + " bytes long, at most " + MAX_IFNAME_BYTES + " are allowed");
        }
        if (value.equals(".") || value.equals("..")) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_IFNAME: \"" + value
                    + "\" is not an interface name");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_IFNAME: \"" + value + "\" contains "
                        + (Character.isWhitespace(c) || Character.isISOControl(c) ? "whitespace" : "'" + c + "'"));
            }
        }
        return value;
    }

    /** ADD and CHECK: an absolute path that exists (else the container is gone); DEL: whatever was given. */
    private static String netns(String value, boolean strict) throws CniException {
        if (!strict) {
            return value;
        }
        if (value.isEmpty()) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_NETNS: missing");
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_NETNS: \"" + value + "\" is not a path");
        }
        if (!path.isAbsolute()) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_NETNS: \"" + value
                    + "\" is not an absolute path");
        }
        if (!Files.exists(path)) {
            throw new CniException(CniException.UNKNOWN_CONTAINER, "CNI_NETNS: " + value
                    + " does not exist (the sandbox is gone)");
        }
        return value;
    }

    /** {@code K1=V1;K2=V2}: every pair must have a key; a key given twice is an error. */
    static Map<String, String> args(String value) throws CniException {
        Map<String, String> args = new LinkedHashMap<>();
        if (value.isEmpty()) {
            return args;
        }
        for (String pair : value.split(";", -1)) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_ARGS: \"" + pair
                        + "\" is not KEY=VALUE");
            }
            String key = pair.substring(0, equals);
            if (args.putIfAbsent(key, pair.substring(equals + 1)) != null) {
                throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_ARGS: " + key + " is given twice");
            }
        }
        return args;
    }

    private static Optional<PodRef> pod(Map<String, String> args, boolean strict) throws CniException {
        String namespace = args.getOrDefault("K8S_POD_NAMESPACE", "");
        String name = args.getOrDefault("K8S_POD_NAME", "");
        String uid = args.getOrDefault("K8S_POD_UID", "");
        if (!strict && (namespace.isEmpty() || name.isEmpty())) {
            return Optional.empty(); // DEL of a sandbox whose pod the runtime no longer names
        }
        for (Map.Entry<String, String> arg : List.of(Map.entry("K8S_POD_NAMESPACE", namespace),
                Map.entry("K8S_POD_NAME", name), Map.entry("K8S_POD_UID", uid))) {
            if (strict && arg.getValue().isEmpty()) {
                throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_ARGS: " + arg.getKey() + " missing");
            }
            if (arg.getValue().contains("/") || arg.getValue().chars().anyMatch(Character::isWhitespace)) {
                throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_ARGS: " + arg.getKey() + " \""
                        + arg.getValue() + "\" is not a Kubernetes name");
            }
        }
        return Optional.of(new PodRef(namespace, name, uid));
    }

    private static NetworkConfig config(JsonNode node, CniCommand command) throws CniException {
        boolean optional = command == CniCommand.VERSION;
        if (node == null || node.isNull()) {
            if (optional) {
                return NetworkConfig.none();
            }
            throw new CniException(CniException.DECODING_FAILURE, "request body: config: missing");
        }
        if (!node.isString()) {
            throw new CniException(CniException.DECODING_FAILURE, "request body: config: expected a base64 string, "
                    + "found " + kind(node));
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(node.asString());
        } catch (IllegalArgumentException e) {
            throw new CniException(CniException.DECODING_FAILURE, "request body: config: not base64: " + e.getMessage());
        }
        if (optional) {
            // VERSION's answer does not depend on the configuration; a runtime may send anything or nothing
            return NetworkConfig.none();
        }
        if (bytes.length == 0) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "network configuration: empty");
        }
        JsonNode config = readJson(bytes, "network configuration");
        if (!config.isObject()) {
            throw new CniException(CniException.DECODING_FAILURE, "network configuration: expected a JSON object, found "
                    + kind(config));
        }
        String version = text(config, "cniVersion");
        if (!CniVersions.supported(version)) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "cniVersion: \"" + version
                    + "\" is not supported", "supported: " + String.join(", ", CniVersions.SUPPORTED));
        }
        if ((command == CniCommand.STATUS || command == CniCommand.GC) && !CniVersions.atLeast(version, "1.1.0")) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "cniVersion: " + command + " needs 1.1.0, the "
                    + "configuration says " + version);
        }
        String name = text(config, "name");
        if (!NETWORK_NAME.matcher(name).matches()) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "name: \"" + name
                    + "\" is not a network name (letters, digits, '_', '.', '-')");
        }
        String type = text(config, "type");
        if (config.has("ipam")) {
            throw new CniException(CniException.UNSUPPORTED_FIELD, "ipam: not supported (the pod's addresses come "
                    + "from its k8s.ovn.org/pod-networks annotation)");
        }
        JsonNode socketPath = config.get("socketPath");
        if (socketPath != null && !socketPath.isString()) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "socketPath: expected a string, found "
                    + kind(socketPath));
        }
        Optional<JsonNode> prevResult = Optional.ofNullable(config.get("prevResult")).filter(n -> !n.isNull());
        if (prevResult.isPresent() && !prevResult.get().isObject()) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "prevResult: expected an object, found "
                    + kind(prevResult.get()));
        }
        List<Attachment> attachments = command == CniCommand.GC ? attachments(config) : List.of();
        return new NetworkConfig(version, name, type, prevResult, attachments);
    }

    private static List<Attachment> attachments(JsonNode config) throws CniException {
        String field = "cni.dev/valid-attachments";
        JsonNode array = config.get(field);
        if (array == null || !array.isArray()) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, field + ": expected an array, found "
                    + kind(array));
        }
        List<Attachment> attachments = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode entry = array.get(i);
            String at = field + "[" + i + "]";
            if (!entry.isObject()) {
                throw new CniException(CniException.INVALID_NETWORK_CONFIG, at + ": expected an object, found "
                        + kind(entry));
            }
            attachments.add(new Attachment(text(entry, "containerID", at), text(entry, "ifname", at)));
        }
        return attachments;
    }

    private static String text(JsonNode parent, String field) throws CniException {
        return text(parent, field, "");
    }

    private static String text(JsonNode parent, String field, String path) throws CniException {
        JsonNode node = parent.get(field);
        String at = path.isEmpty() ? field : path + "." + field;
        if (node == null || node.isNull()) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, at + ": missing");
        }
        if (!node.isString() || node.asString().isEmpty()) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, at + ": expected a non-empty string, found "
                    + kind(node));
        }
        return node.asString();
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isString()) {
            return node.asString().isEmpty() ? "an empty string" : "a string";
        }
        return node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
