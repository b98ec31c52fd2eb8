package io.ovnk.metrics.internal;

import io.ovnk.metrics.MetricFamily;
import java.util.List;

/** Prometheus' text exposition format 0.0.4, written by hand: one HELP, one TYPE and the samples per family. */
final class TextFormat {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private TextFormat() {
    }

    static String write(List<MetricFamily> families) {
        StringBuilder out = new StringBuilder(4096);
        for (MetricFamily family : families) {
            out.append("# HELP ").append(family.name()).append(' ').append(escapeHelp(family.help())).append('\n');
            out.append("# TYPE ").append(family.name()).append(' ').append(family.type().text()).append('\n');
            for (MetricFamily.Sample sample : family.samples()) {
                out.append(sample.name());
                if (!sample.labels().isEmpty()) {
                    out.append('{');
                    String separator = "";
                    for (MetricFamily.Label label : sample.labels()) {
                        out.append(separator).append(label.name()).append("=\"").append(escapeLabelValue(label.value()))
                                .append('"');
                        separator = ",";
                    }
                    out.append('}');
                }
                out.append(' ').append(value(sample.value())).append('\n');
            }
        }
        return out.toString();
    }

    /** HELP text: backslash and line feed escaped (a quote is fine there). */
    static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** Label values: backslash, double quote and line feed escaped. */
    static String escapeLabelValue(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Whole numbers without a fraction (counts read better), the rest as Java writes doubles (Go parses both). */
    static String value(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
