package io.ovnk.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** The checks every metric makes of its name, its label names and the label values it is given. */
final class Names {

    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private Names() {
    }

    static String metric(String name) {
        if (name == null || !METRIC.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name " + quoted(name)
                    + " is not a Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
        }
        return name;
    }

    static String help(String name, String help) {
        if (help == null || help.isBlank()) {
            throw new IllegalArgumentException("metric " + name + ": help must say what it counts");
        }
        return help;
    }

    static List<String> labels(String metric, String[] labelNames, Set<String> reserved) {
        Objects.requireNonNull(labelNames, "labelNames");
        Set<String> seen = new HashSet<>();
        List<String> names = new ArrayList<>(labelNames.length);
        for (String label : labelNames) {
            if (label == null || !LABEL.matcher(label).matches() || label.startsWith("__")) {
                throw new IllegalArgumentException("metric " + metric + ": label name " + quoted(label)
                        + " is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)");
            }
            if (reserved.contains(label)) {
                throw new IllegalArgumentException("metric " + metric + ": label name " + label + " is reserved");
            }
            if (!seen.add(label)) {
                throw new IllegalArgumentException("metric " + metric + ": label name " + label + " given twice");
            }
            names.add(label);
        }
        return List.copyOf(names);
    }

    /** The series key: the values, checked against the label names (count and non-null). */
    static List<String> values(String metric, List<String> labelNames, String[] values) {
        if (values == null || values.length != labelNames.size()) {
            throw new IllegalArgumentException("metric " + metric + ": expected " + labelNames.size()
                    + " label values " + labelNames + ", got " + (values == null ? "none" : values.length));
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                throw new IllegalArgumentException("metric " + metric + ": label " + labelNames.get(i)
                        + " has no value (null)");
            }
        }
        return List.of(values);
    }

    static List<MetricFamily.Label> pairs(List<String> names, List<String> values) {
        List<MetricFamily.Label> labels = new ArrayList<>(names.size() + 1);
        for (int i = 0; i < names.size(); i++) {
            labels.add(new MetricFamily.Label(names.get(i), values.get(i)));
        }
        return labels;
    }

    private static String quoted(String text) {
        return text == null ? "null" : "\"" + text + "\"";
    }
}
