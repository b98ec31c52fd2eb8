package io.ovnk.runtime.internal.config;

import java.util.List;
import java.util.Map;

/**
 * What a PID's metatype says about its keys: the part the validator needs, as plain values so that the
 * validation can be tested without a framework.
 *
 * @param pid the PID or factory PID described
 * @param attributes by key
 */
public record ConfigSchema(String pid, Map<String, Attribute> attributes) {

    public ConfigSchema {
        attributes = Map.copyOf(attributes);
    }

    /** Metatype attribute types (the constants of {@code org.osgi.service.metatype.AttributeDefinition}). */
    public enum Type {
        STRING, LONG, INTEGER, SHORT, CHARACTER, BYTE, DOUBLE, FLOAT, BOOLEAN, PASSWORD
    }

    /**
     * @param key the property key
     * @param type the value type
     * @param cardinality 0 for one value, otherwise how many (negative or positive: a list or array)
     * @param options allowed values; empty for any
     * @param required whether the key must be present (ignored when it has a default)
     * @param hasDefault whether the metatype gives a default value
     */
    public record Attribute(String key, Type type, int cardinality, List<String> options, boolean required,
            boolean hasDefault) {

        public Attribute {
            options = List.copyOf(options);
        }

        public boolean multiValued() {
            return cardinality != 0;
        }

        /** Values never to print: passwords, tokens, keys. */
        public boolean secret() {
            return type == Type.PASSWORD;
        }
    }
}
