package io.ovnk.launcher.flags;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code bin/ovnkube --print-config}: every PID and key that the started features, the etc/ files and the
 * flags set, merged as the runtime merges them (features, then what flags imply, then etc/, then flags), each
 * value with its origin. Secrets are shown as {@code (secret)}.
 */
public final class ConfigReport {

    private ConfigReport() {
    }

    public static String render(RunConfiguration run, ConfigSources sources, String defaultLogFile) {
        Map<String, Map<String, String[]>> merged = new TreeMap<>();
        sources.values().forEach((pid, keys) -> keys.forEach((key, value) -> {
            if (value.origin().startsWith("feature ")) {
                put(merged, pid, key, value.text(), value.origin());
            }
        }));
        run.implied().forEach(s -> put(merged, s.pid(), s.key(), Setting.text(s.value()), s.origin()));
        sources.values().forEach((pid, keys) -> keys.forEach((key, value) -> {
            if (!value.origin().startsWith("feature ")) {
                put(merged, pid, key, value.text(), value.origin());
            }
        }));
        for (Setting setting : run.flags()) {
            String[] earlier = merged.getOrDefault(setting.pid(), Map.of()).get(setting.key());
            String origin = setting.origin();
            if (earlier != null && earlier[2].startsWith("etc/")) {
                origin += " (over " + earlier[2] + ")";
            }
            put(merged, setting.pid(), setting.key(), Setting.text(setting.value()), origin);
        }

        // etc/io.ovnk.launcher.cfg keys that flags replace for this run
        Map<String, String[]> launcher = merged.getOrDefault("io.ovnk.launcher", Map.of());
        run.launcherOrigins().forEach((key, flags) -> {
            String[] row = launcher.get(key);
            if (row != null && !key.equals("features")) {
                row[2] += " (flag " + String.join(", flag ", flags) + " decides for this run)";
            }
        });
        List<String[]> rows = new ArrayList<>();
        headingsAt(rows, "this run");
        rows.add(new String[] { "roles", String.join(", ", run.settings().roles()), launcherOrigin(run, "roles") });
        rows.add(new String[] { "mode", run.settings().mode(), launcherOrigin(run, "mode") });
        rows.add(new String[] { "features", String.join(", ", run.settings().features()),
                "roles and mode" + (launcher.containsKey("features") && !launcher.get("features")[1].isEmpty()
                        ? ", etc/io.ovnk.launcher.cfg" : "")
                        + (run.launcherOrigins().containsKey("features")
                                ? ", flag " + String.join(", flag ", run.launcherOrigins().get("features")) : "") });
        rows.add(new String[] { "log level", run.logLevel().orElse("INFO"),
                run.logLevel().isPresent() ? "flag -loglevel" : "conf/logback.xml" });
        rows.add(new String[] { "log file", run.logFile().map(Object::toString).orElse(defaultLogFile),
                run.logFile().isPresent() ? "flag -logfile" : "conf/logback.xml" });
        List<Integer> headings = new ArrayList<>(List.of(0));
        for (Map.Entry<String, Map<String, String[]>> pid : merged.entrySet()) {
            headings.add(rows.size());
            rows.add(new String[] { pid.getKey() });
            new TreeMap<>(pid.getValue()).values().forEach(rows::add);
        }
        int key = 0;
        int value = 0;
        for (String[] row : rows) {
            if (row.length == 3) {
                key = Math.max(key, row[0].length());
                value = Math.max(value, row[1].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            if (headings.contains(i)) {
                out.append(i == 0 ? "" : "\n").append(row[0]).append('\n');
            } else {
                out.append(String.format("  %-" + key + "s  %-" + value + "s  %s", row[0], row[1], row[2]).stripTrailing())
                        .append('\n');
            }
        }
        if (!run.unused().isEmpty()) {
            out.append("\nnot used in this run\n");
            run.unused().forEach(line -> out.append("  ").append(line).append('\n'));
        }
        if (!sources.problems().isEmpty()) {
            out.append("\nproblems\n");
            sources.problems().forEach(line -> out.append("  ").append(line).append('\n'));
        }
        return out.toString();
    }

    private static void headingsAt(List<String[]> rows, String title) {
        rows.add(new String[] { title });
    }

    private static String launcherOrigin(RunConfiguration run, String key) {
        List<String> flags = run.launcherOrigins().get(key);
        return flags == null ? "etc/io.ovnk.launcher.cfg" : "flag " + String.join(", flag ", flags);
    }

    private static void put(Map<String, Map<String, String[]>> merged, String pid, String key, String text,
            String origin) {
        String shown = Setting.isSecret(key) ? "(secret)" : text;
        merged.computeIfAbsent(pid, p -> new LinkedHashMap<>()).put(key, new String[] { key, shown, origin });
    }
}
