package io.ovnk.shell;

/**
 * Why a component does not run, in words ({@code text}) and in fields a program can use: the configuration PID
 * that is missing, or the reference (its name, interface and target filter) that has no service.
 */
public record Reason(Kind kind, String text, String pid, String reference, String interfaceName, String target) {

    public enum Kind {
        /** A required configuration PID has no configuration. */
        MISSING_CONFIGURATION,
        /** A mandatory reference has no (matching) service; {@code text} says where it would come from. */
        UNSATISFIED_REFERENCE,
        /** A mandatory reference to a service that exists only under a condition (leadership). */
        CONDITIONAL_REFERENCE,
        /** Activation failed; {@code text} is SCR's failure. */
        FAILED_ACTIVATION,
        /** The component is disabled. */
        DISABLED
    }

    public static Reason missingConfiguration(String pid, boolean factory) {
        return new Reason(Kind.MISSING_CONFIGURATION, "needs configuration " + pid + (factory
                ? " (a factory PID: one configuration per instance, e.g. etc/" + pid + "~NAME.cfg)"
                : " (etc/" + pid + ".cfg), which does not exist"), pid, null, null, null);
    }

    public static Reason reference(boolean conditional, String reference, String interfaceName, String target,
            String why) {
        // DS names constructor parameters' references $000, $001...: those say only what they refer to
        String subject = (reference.startsWith("$") ? "reference to " : "reference " + reference + " to ") + interfaceName;
        return new Reason(conditional ? Kind.CONDITIONAL_REFERENCE : Kind.UNSATISFIED_REFERENCE, subject
                + (target == null ? "" : " " + target) + ": " + why, null, reference, interfaceName, target);
    }

    public static Reason failed(String failure) {
        return new Reason(Kind.FAILED_ACTIVATION, "activation failed: " + failure, null, null, null, null);
    }

    public static Reason disabled() {
        return new Reason(Kind.DISABLED, "disabled (scr:enable turns it on)", null, null, null, null);
    }
}
