package io.ovnk.runtime.internal.config;

import io.ovnk.runtime.internal.config.ConfigSchema.Attribute;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a configuration against its PID's metatype before it reaches Config Admin, so that a typo or a
 * wrong type is reported against the file, naming the key, instead of failing a component later.
 */
public final class ConfigValidator {

    /** Keys that belong to the framework or to DS, not to the component's metatype. */
    private static final Pattern FRAMEWORK_KEY =
            Pattern.compile("(service|component|felix|webconsole|osgi)\\..*|\\..*|.*\\.target");

    /**
     * Keys whose values are never echoed, whatever the metatype says, and which a world-writable file may not set:
     * passwords, tokens, secrets and the TLS private key (its path: whoever can change it chooses the identity).
     */
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|passphrase|token|secret|private\\.key).*");

    private ConfigValidator() {
    }

    /**
     * @param properties the values as read: strings from {@code .cfg} files, typed values otherwise
     * @param errors what makes the configuration unusable, one sentence each
     * @param unknownKeys keys the metatype does not describe, with a suggestion where one is close
     */
    public record Result(Map<String, Object> properties, List<String> errors, List<String> unknownKeys) {
        public Result {
            properties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(properties));
            errors = List.copyOf(errors);
            unknownKeys = List.copyOf(unknownKeys);
        }

        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /**
     * Validates and normalises: in a text value for a multi-valued key, commas separate values
     * ({@code a, b} becomes {@code ["a","b"]}; {@code \,} is a literal comma).
     */
    public static Result check(ConfigSchema schema, Map<String, Object> properties) {
        Map<String, Object> normalised = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, Object> entry : properties.entrySet()) {
            String key = entry.getKey();
            Attribute attribute = schema.attributes().get(key);
            if (attribute == null) {
                if (!FRAMEWORK_KEY.matcher(key).matches()) {
                    unknown.add(unknownKeyMessage(key, schema));
                }
                normalised.put(key, entry.getValue());
                continue;
            }
            Object value = entry.getValue();
            if (attribute.multiValued() && value instanceof String text) {
                value = splitList(text).toArray(String[]::new);
            }
            List<Object> values = elements(value);
            int most = attribute.cardinality() == Integer.MIN_VALUE ? Integer.MAX_VALUE : Math.abs(attribute.cardinality());
            if (!attribute.multiValued() && values.size() != 1) {
                errors.add("key " + shownKey(key) + " takes one value, not " + values.size());
            } else if (attribute.multiValued() && values.size() > most) {
                errors.add("key " + shownKey(key) + " takes at most " + most + " values, not " + values.size());
            }
            for (Object element : values) {
                String problem = problem(attribute, element);
                if (problem != null) {
                    errors.add("key " + shownKey(key) + ": " + shown(key, attribute, element) + " " + problem);
                }
            }
            normalised.put(key, value);
        }
        for (Attribute attribute : schema.attributes().values()) {
            if (attribute.required() && !attribute.hasDefault() && !properties.containsKey(attribute.key())) {
                errors.add("key '" + attribute.key() + "' is required");
            }
        }
        return new Result(normalised, errors, unknown);
    }

    /**
     * A key as it may appear in a log line: quoted, cut when long, control characters escaped (a file must not be
     * able to write lines of its own into the log).
     */
    static String shownKey(String key) {
        return "'" + printable(key) + "'";
    }

    private static String printable(String text) {
        String cut = text.length() > 80 ? text.substring(0, 77) + "..." : text;
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /** A value as it may appear in a log line: quoted, cut when long, hidden when secret. */
    static String shown(String key, Attribute attribute, Object value) {
        if (isSecret(key, attribute)) {
            return "the value";
        }
        return "\"" + printable(String.valueOf(value)) + "\"";
    }

    /** A key whose value is a secret: by its metatype (type Password) or by its name. */
    static boolean isSecret(String key, Attribute attribute) {
        return (attribute != null && attribute.secret()) || SECRET_KEY.matcher(key).matches();
    }

    private static String problem(Attribute attribute, Object value) {
        String text = String.valueOf(value).trim();
        if (!attribute.options().isEmpty() && !attribute.options().contains(text)) {
            return "is not one of " + String.join(", ", attribute.options());
        }
        try {
            switch (attribute.type()) {
                case LONG -> Long.parseLong(text);
                case INTEGER -> Integer.parseInt(text);
                case SHORT -> Short.parseShort(text);
                case BYTE -> Byte.parseByte(text);
                case DOUBLE -> requireNumber(Double.parseDouble(text));
                case FLOAT -> requireNumber(Float.parseFloat(text));
                case CHARACTER -> {
                    if (text.length() != 1) {
                        return "is not a single character";
                    }
                }
                case BOOLEAN -> {
                    if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                        return "is not a boolean (true or false)";
                    }
                }
                case STRING, PASSWORD -> {
                    // any text
                }
            }
        } catch (NumberFormatException e) {
            return "is not " + article(attribute.type()) + " " + attribute.type().name().toLowerCase(Locale.ROOT)
                    + rangeHint(attribute.type());
        }
        return null;
    }

    private static void requireNumber(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new NumberFormatException();
        }
    }

    private static String article(ConfigSchema.Type type) {
        return type == ConfigSchema.Type.INTEGER ? "an" : "a";
    }

    private static String rangeHint(ConfigSchema.Type type) {
        return switch (type) {
            case INTEGER -> " (whole number up to " + Integer.MAX_VALUE + ")";
            case LONG -> " (whole number up to " + Long.MAX_VALUE + ")";
            case SHORT -> " (whole number up to " + Short.MAX_VALUE + ")";
            case BYTE -> " (whole number up to " + Byte.MAX_VALUE + ")";
            default -> "";
        };
    }

    private static List<Object> elements(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                list.add(Array.get(value, i));
            }
            return list;
        }
        if (value instanceof Collection<?> collection) {
            return new ArrayList<>(collection);
        }
        return List.of(value);
    }

    /** Splits "a, b\,c" into ["a", "b,c"]; an empty text is an empty list. */
    static List<String> splitList(String text) {
        List<String> values = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == ',') {
                current.append(',');
                i++;
            } else if (c == ',') {
                values.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        String last = current.toString().trim();
        if (!last.isEmpty() || !values.isEmpty()) {
            values.add(last);
        }
        return values;
    }

    private static String unknownKeyMessage(String key, ConfigSchema schema) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : schema.attributes().keySet()) {
            int distance = editDistance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
        boolean close = best != null && bestDistance <= Math.max(2, key.length() / 4);
        return "unknown key " + shownKey(key) + (close ? " (did you mean '" + best + "'?)" : "");
    }

    /** Levenshtein distance; keys are short, so the quadratic table is fine. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
