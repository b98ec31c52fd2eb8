package io.ovnk.shell.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A command's arguments: {@code -o json} / {@code -o text} / {@code --json} (also {@code -ojson},
 * {@code --output=json}), the command's own flags given (such as {@code --tcp}, {@code -v}) and the positional words
 * in order. An unknown option is an error naming it.
 */
public record Args(boolean json, List<String> positional, Set<String> flags) {

    public Args {
        positional = List.copyOf(positional);
        flags = Set.copyOf(flags);
    }

    public Args(boolean json, List<String> positional) {
        this(json, positional, Set.of());
    }

    public boolean has(String flag) {
        return flags.contains(flag);
    }

    public static Args parse(String... words) {
        return parse(Set.of(), words);
    }

    /** As {@link #parse(String...)}, also accepting the command's own flags (words such as {@code --tcp}). */
    public static Args parse(Set<String> known, String... words) {
        Set<String> flags = new LinkedHashSet<>();
        boolean json = false;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            String format = null;
            if (word.equals("--json")) {
                format = "json";
            } else if (word.equals("-o") || word.equals("--output")) {
                if (i + 1 == words.length) {
                    throw new IllegalArgumentException(word + " needs a format: json or text");
                }
                format = words[++i];
            } else if (word.startsWith("--output=")) {
                format = word.substring("--output=".length());
            } else if (word.startsWith("-o") && word.length() > 2) {
                format = word.substring(2);
            } else if (known.contains(word)) {
                flags.add(word);
            } else if (word.startsWith("-") && word.length() > 1) {
                throw new IllegalArgumentException("unknown option " + word + " (options: "
                        + (known.isEmpty() ? "" : String.join(", ", known.stream().sorted().toList()) + ", ")
                        + "-o json|text, --json)");
            } else {
                positional.add(word);
            }
            if (format != null) {
                json = switch (format) {
                case "json" -> true;
                case "text" -> false;
                default -> throw new IllegalArgumentException("unknown output format \"" + format + "\" (json or text)");
                };
            }
        }
        return new Args(json, positional, flags);
    }
}
