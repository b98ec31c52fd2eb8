package io.ovnk.kube.internal;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reading annotation JSON strictly: every fault is an IllegalArgumentException whose message starts with the
 * path of the field ({@code default.ip_addresses[0]: "10.1.2" is not a CIDR}). Used by the codecs only.
 */
public final class StrictJson {

    /**
     * Strict: a key written twice or anything after the value is an error, not a silent choice of one of them
     * (another reader of the same annotation might choose the other).
     */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StrictJson() {
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    /** The value as a JSON object. */
    public static JsonNode object(String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, found " + describe(root));
        }
        return root;
    }

    public static JsonNode requiredObject(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(join(path, field) + ": expected an object, found " + describe(node));
        }
        return node;
    }

    public static String requiredText(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isString()) {
            throw new IllegalArgumentException(join(path, field) + ": expected a string, found " + describe(node));
        }
        return node.asString();
    }

    /** A string field, or null when absent (a present field of another type is an error). */
    public static String optionalText(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            throw new IllegalArgumentException(join(path, field) + ": expected a string, found " + describe(node));
        }
        return node.asString();
    }

    /** An array of strings (absent: empty), each converted; the fault names its index. */
    public static <T> List<T> list(JsonNode parent, String field, String path, Function<String, T> convert) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(join(path, field) + ": expected an array, found " + describe(node));
        }
        List<T> values = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            values.add(convert(node.get(i), join(path, field) + "[" + i + "]", convert));
        }
        return List.copyOf(values);
    }

    /** A string or an array of strings, as ovn-kubernetes writes single- and dual-stack values. */
    public static <T> List<T> oneOrMany(JsonNode parent, String field, String path, Function<String, T> convert) {
        JsonNode node = parent.get(field);
        if (node != null && node.isString()) {
            return List.of(convert(node, join(path, field), convert));
        }
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(join(path, field) + ": expected a string or an array of strings, found "
                    + describe(node));
        }
        return list(parent, field, path, convert);
    }

    private static <T> T convert(JsonNode node, String path, Function<String, T> convert) {
        if (node == null || !node.isString()) {
            throw new IllegalArgumentException(path + ": expected a string, found " + describe(node));
        }
        try {
            return convert.apply(node.asString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    public static <T> T value(String path, String text, Function<String, T> convert) {
        try {
            return convert.apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    public static Cidr cidr(String text) {
        return Cidr.parse(text);
    }

    /** A subnet: a CIDR written with its network address. */
    public static Cidr subnet(String text) {
        Cidr cidr = Cidr.parse(text);
        if (!cidr.isNetwork()) {
            throw new IllegalArgumentException("\"" + text + "\" has host bits set; the subnet is " + cidr.toNetwork());
        }
        return cidr;
    }

    public static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    public static MacAddress mac(String text) {
        return MacAddress.parse(text);
    }

    /** The fields of an object, in order. */
    public static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode object) {
        return object.properties();
    }

    public static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case STRING -> "the string " + node;
            case NUMBER -> "the number " + node;
            case BOOLEAN -> "the boolean " + node;
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
