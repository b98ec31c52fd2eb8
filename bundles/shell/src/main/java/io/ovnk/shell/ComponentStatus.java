package io.ovnk.shell;

import java.util.List;

/**
 * One component (one configuration of it, for factory-configured components) and why it does or does not run.
 *
 * @param bundle the bundle's symbolic name
 * @param name the component's name (its implementation class, by ovnk's convention)
 * @param configurationId SCR's id of this component configuration, -1 when SCR made none (not configured)
 * @param scrState SCR's state in words: active, satisfied, unsatisfied reference, unsatisfied configuration,
 *        failed activation, disabled
 * @param reasons why it does not run; empty when it runs
 */
public record ComponentStatus(String bundle, String name, long configurationId, Verdict verdict, String scrState,
        List<Reason> reasons) {

    public ComponentStatus {
        reasons = List.copyOf(reasons);
    }

    /** Worst first. */
    public enum Verdict {
        /** Activation failed: the reason holds SCR's failure. */
        FAILED(true),
        /** Disabled (by hand: no ovnk component is disabled by design). */
        DISABLED(true),
        /** Waits for a service that, as things stand, nothing will provide. */
        WAITING(true),
        /** Waits only for a service that exists under a condition, e.g. Leadership while another process leads. */
        STANDBY(false),
        /** Needs a configuration that does not exist: not meant to run in this process until it is configured. */
        NOT_CONFIGURED(false),
        /** Active or satisfied. */
        RUNNING(false);

        private final boolean unhealthy;

        Verdict(boolean unhealthy) {
            this.unhealthy = unhealthy;
        }

        public boolean unhealthy() {
            return unhealthy;
        }

        /** Lower case with blanks, as the commands print it. */
        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }
}
