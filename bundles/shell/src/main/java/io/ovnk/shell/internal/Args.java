package io.ovnk.shell.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A command's arguments: {@code -o json} / {@code -o text} / {@code --json} (also {@code -ojson},
 * {@code --output=json}) and the positional words in order. An unknown option is an error naming it.
 */
public record Args(boolean json, List<String> positional) {

    public Args {
        positional = List.copyOf(positional);
    }

    public static Args parse(String... words) {
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
            } else if (word.startsWith("-") && word.length() > 1) {
                throw new IllegalArgumentException("unknown option " + word + " (options: -o json|text, --json)");
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
        return new Args(json, positional);
    }
}
