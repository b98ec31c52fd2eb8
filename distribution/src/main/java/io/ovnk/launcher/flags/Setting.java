package io.ovnk.launcher.flags;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One configuration key set for this run by a flag.
 *
 * @param pid the PID or factory configuration ({@code io.ovnk.ovsdb.connection~nb})
 * @param value a {@code String} or a {@code List<String>}
 * @param origin {@code flag -cluster-subnet}, as the user wrote the flag
 */
public record Setting(String pid, String key, Object value, String origin) {

    /** Keys whose values are never shown (the same rule as the runtime's log lines, minus file names). */
    private static final Pattern SECRET = Pattern.compile("(?i)(.*\\.)?(token|password|passphrase|secret)");

    public Setting {
        if (value instanceof List<?> list) {
            value = List.copyOf(list);
        } else if (!(value instanceof String)) {
            throw new IllegalArgumentException(pid + " " + key + ": a value is a String or a List, not " + value);
        }
    }

    public static boolean isSecret(String key) {
        return SECRET.matcher(key).matches();
    }

    /** The value as print-config shows it: lists comma-separated, secrets hidden. */
    public String shown() {
        return isSecret(key) ? "(secret)" : text(value);
    }

    static String text(Object value) {
        return value instanceof List<?> list ? String.join(", ", list.stream().map(String::valueOf).toList())
                : String.valueOf(value);
    }
}
