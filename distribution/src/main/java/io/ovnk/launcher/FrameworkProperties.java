package io.ovnk.launcher;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Resolves {@code ${name}} in framework property values from the other properties and the system properties. */
public final class FrameworkProperties {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    private FrameworkProperties() {
    }

    public static Map<String, String> resolve(Map<String, String> properties) throws LaunchException {
        Map<String, String> resolved = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : properties.entrySet()) {
            resolved.put(entry.getKey(), resolve(entry.getKey(), entry.getValue(), properties, 0));
        }
        return resolved;
    }

    private static String resolve(String key, String value, Map<String, String> properties, int depth)
            throws LaunchException {
        if (depth > 10) {
            throw new LaunchException("framework property " + key + ": placeholders nest too deep (a cycle?)");
        }
        Matcher matcher = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String replacement = properties.containsKey(name) ? properties.get(name) : System.getProperty(name);
            if (replacement == null) {
                throw new LaunchException("framework property " + key + ": ${" + name + "} is not defined");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(resolve(name, replacement, properties, depth + 1)));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
