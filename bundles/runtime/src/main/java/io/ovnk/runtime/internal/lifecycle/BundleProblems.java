package io.ovnk.runtime.internal.lifecycle;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the framework's exception text about a bundle into one sentence an operator can act on:
 * Felix's "Unable to resolve x [23](R 23.0): missing requirement [...] osgi.wiring.package; (&(...))
 * Unresolved requirements: [...]" becomes "cannot resolve: missing package foo.bar (version>=1.0.0)".
 */
public final class BundleProblems {

    private static final Pattern REQUIREMENT =
            Pattern.compile("\\]\\s*([\\w.]+);\\s*(\\(.*?\\))(?=\\s*(?:Unresolved requirements|\\[|$|\\]))");
    private static final Pattern PACKAGE = Pattern.compile("osgi\\.wiring\\.package=([^)]+)\\)");
    private static final Pattern BUNDLE = Pattern.compile("osgi\\.wiring\\.bundle=([^)]+)\\)");
    private static final Pattern HOST = Pattern.compile("osgi\\.wiring\\.host=([^)]+)\\)");
    private static final Pattern VERSION = Pattern.compile("\\((!?\\(?)(bundle-)?version([<>=!]+)([^)]+)\\)");

    private BundleProblems() {
    }

    /** One line for a throwable about a bundle: the cause chain flattened, requirement filters made readable. */
    public static String explain(Throwable problem) {
        Throwable root = problem;
        List<String> messages = new ArrayList<>();
        for (Throwable t = problem; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                messages.add(t.getMessage());
            }
            root = t;
        }
        String text = messages.isEmpty() ? root.getClass().getSimpleName() : messages.get(0);
        if (text.startsWith("Unable to resolve")) {
            return "cannot resolve: " + String.join(", ", missing(text));
        }
        String rootText = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return messages.size() > 1 && !text.contains(rootText) ? text + ": " + oneLine(rootText) : oneLine(text);
    }

    /** The requirements named in a resolver message, deduplicated, in a readable form. */
    static List<String> missing(String message) {
        Set<String> found = new LinkedHashSet<>();
        Matcher requirement = REQUIREMENT.matcher(message);
        while (requirement.find()) {
            found.add(describe(requirement.group(1), requirement.group(2)));
        }
        if (found.isEmpty()) {
            found.add(oneLine(message));
        }
        return new ArrayList<>(found);
    }

    static String describe(String namespace, String filter) {
        String versions = versions(filter);
        Matcher m;
        if ((m = PACKAGE.matcher(filter)).find()) {
            return "missing package " + m.group(1) + versions;
        }
        if ((m = BUNDLE.matcher(filter)).find()) {
            return "missing bundle " + m.group(1) + versions;
        }
        if ((m = HOST.matcher(filter)).find()) {
            return "missing fragment host " + m.group(1) + versions;
        }
        return "missing " + namespace + " " + filter;
    }

    private static String versions(String filter) {
        List<String> parts = new ArrayList<>();
        Matcher m = VERSION.matcher(filter);
        while (m.find()) {
            parts.add((m.group(1).startsWith("!") ? "not " : "") + "version" + m.group(3) + m.group(4));
        }
        return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }
}
