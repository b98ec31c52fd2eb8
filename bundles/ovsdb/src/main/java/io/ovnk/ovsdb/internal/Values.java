package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.AtomicType;
import io.ovnk.ovsdb.BaseType;
import io.ovnk.ovsdb.ColumnType;
import io.ovnk.ovsdb.NamedUuid;
import io.ovnk.ovsdb.ProtocolException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * OVSDB values between Java and JSON (RFC 7047 section 5.1): atoms, {@code ["uuid", ...]},
 * {@code ["named-uuid", ...]}, {@code ["set", [...]]}, {@code ["map", [[k, v], ...]]}.
 */
final class Values {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Values() {
    }

    /** Java numbers of every width become Long or Double; collections become immutable sets and maps. */
    static Object normalize(Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof Map<?, ?> map && !map.isEmpty()) {
            Map<Object, Object> normal = new HashMap<>();
            map.forEach((k, v) -> normal.put(normalize(k), normalize(v)));
            return Map.copyOf(normal);
        }
        if (value instanceof Collection<?> collection && !(value instanceof Set<?> set && isNormal(set))) {
            List<Object> normal = new ArrayList<>(collection.size());
            collection.forEach(element -> normal.add(normalize(element)));
            return Set.copyOf(normal);
        }
        return value;
    }

    private static boolean isNormal(Set<?> set) {
        for (Object element : set) {
            if (element instanceof Integer || element instanceof Short || element instanceof Byte
                    || element instanceof Float) {
                return false;
            }
        }
        return true;
    }

    // ---- Java to JSON

    static JsonNode encode(Object value) {
        if (value instanceof Map<?, ?> map) {
            ArrayNode pairs = NODES.arrayNode(map.size());
            map.forEach((k, v) -> pairs.add(NODES.arrayNode(2).add(atom(k)).add(atom(v))));
            return NODES.arrayNode(2).add("map").add(pairs);
        }
        if (value instanceof Collection<?> collection) {
            ArrayNode elements = NODES.arrayNode(collection.size());
            collection.forEach(element -> elements.add(atom(element)));
            return NODES.arrayNode(2).add("set").add(elements);
        }
        return atom(value);
    }

    static JsonNode atom(Object value) {
        if (value instanceof String s) {
            return NODES.stringNode(s);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Integer i) {
            return NODES.numberNode((long) i);
        }
        if (value instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof UUID uuid) {
            return NODES.arrayNode(2).add("uuid").add(uuid.toString());
        }
        if (value instanceof NamedUuid named) {
            return NODES.arrayNode(2).add("named-uuid").add(named.name());
        }
        throw new IllegalArgumentException("cannot send a " + (value == null ? "null" : value.getClass().getName())
                + " as an OVSDB atom");
    }

    // ---- JSON to Java, by column type

    /** Decodes a column value: the atom for scalars, an immutable Set or Map otherwise. */
    static Object decode(JsonNode json, ColumnType type) {
        if (type.isMap()) {
            return decodeMap(json, type.key(), type.value());
        }
        if (type.isScalar()) {
            return decodeAtom(json, type.key());
        }
        return decodeSet(json, type.key());
    }

    static Set<Object> decodeSet(JsonNode json, BaseType element) {
        if (json.isArray() && json.size() == 2 && "set".equals(json.get(0).asString(null)) && json.get(1).isArray()) {
            JsonNode elements = json.get(1);
            switch (elements.size()) {
                case 0:
                    return Set.of();
                case 1:
                    return Set.of(decodeAtom(elements.get(0), element));
                default:
                    Object[] decoded = new Object[elements.size()];
                    for (int i = 0; i < decoded.length; i++) {
                        decoded[i] = decodeAtom(elements.get(i), element);
                    }
                    try {
                        return Set.of(decoded);
                    } catch (IllegalArgumentException duplicate) {
                        throw new ProtocolException("a set holds an element twice: " + abbreviate(json));
                    }
            }
        }
        return Set.of(decodeAtom(json, element)); // a set of one may be sent as the atom itself
    }

    static Map<Object, Object> decodeMap(JsonNode json, BaseType key, BaseType value) {
        if (!(json.isArray() && json.size() == 2 && "map".equals(json.get(0).asString(null)) && json.get(1).isArray())) {
            throw new ProtocolException("expected [\"map\", [...]], got " + abbreviate(json));
        }
        JsonNode pairs = json.get(1);
        if (pairs.isEmpty()) {
            return Map.of();
        }
        Map<Object, Object> map = new HashMap<>(pairs.size() * 2);
        for (JsonNode pair : pairs) {
            if (!pair.isArray() || pair.size() != 2) {
                throw new ProtocolException("map entry is not [key, value]: " + abbreviate(pair));
            }
            map.put(decodeAtom(pair.get(0), key), decodeAtom(pair.get(1), value));
        }
        return Map.copyOf(map);
    }

    static Object decodeAtom(JsonNode json, BaseType base) {
        AtomicType type = base.type();
        switch (type) {
            case STRING:
                if (json.isString()) {
                    return json.stringValue();
                }
                break;
            case INTEGER:
                if (json.isIntegralNumber() && json.canConvertToLong()) {
                    return json.longValue();
                }
                break;
            case REAL:
                if (json.isNumber()) {
                    return json.doubleValue();
                }
                break;
            case BOOLEAN:
                if (json.isBoolean()) {
                    return json.booleanValue();
                }
                break;
            case UUID:
                if (json.isArray() && json.size() == 2 && "uuid".equals(json.get(0).asString(null))) {
                    try {
                        return UUID.fromString(json.get(1).asString());
                    } catch (IllegalArgumentException e) {
                        throw new ProtocolException("not a UUID: " + abbreviate(json));
                    }
                }
                break;
            default:
                break;
        }
        throw new ProtocolException("expected " + type.schemaName() + ", got " + abbreviate(json));
    }

    static String abbreviate(JsonNode json) {
        String text = String.valueOf(json);
        return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    }
}
