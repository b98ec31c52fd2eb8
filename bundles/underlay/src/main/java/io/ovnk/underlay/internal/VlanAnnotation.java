package io.ovnk.underlay.internal;

import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@value UnderlayNames#POD_VLAN}: the VM port a pod's port hangs off and its VLAN, {@code {"parent":"vm1","tag":101}}.
 */
record VlanAnnotation(String parent, int tag) {

    /** Strict: a key written twice or trailing garbage is an error, not a silent choice (as for ovnk's other annotations). */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(tools.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    VlanAnnotation {
        Objects.requireNonNull(parent, "parent");
        if (parent.isEmpty()) {
            throw new IllegalArgumentException("parent: empty");
        }
        if (tag < 1 || tag > 4094) {
            throw new IllegalArgumentException("tag: " + tag + " is not a VLAN id (1-4094)");
        }
    }

    /** @throws IllegalArgumentException naming the field that is missing or wrong */
    static VlanAnnotation parse(String value) {
        JsonNode root;
        try {
            root = MAPPER.readTree(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        JsonNode parent = root.get("parent");
        if (parent == null || !parent.isString()) {
            throw new IllegalArgumentException("parent: missing or not a string");
        }
        JsonNode tag = root.get("tag");
        if (tag == null || !tag.isInt()) {
            throw new IllegalArgumentException("tag: missing or not an integer");
        }
        return new VlanAnnotation(parent.asString(), tag.asInt());
    }

    String toJson() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("parent", parent);
        node.put("tag", tag);
        return node.toString();
    }
}
