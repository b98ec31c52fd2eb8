package io.ovnk.gateway.internal;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What {@code gateway:cleanup} and {@code gateway:enable} do, in plain Java: the clean-up first stops this process's
 * gateway master (whose handlers would otherwise re-create what their next events call for), and only once it has
 * stopped removes the gateway's Northbound rows; it prints each row and how to start the master again.
 */
final class CleanupCommand {

    /** This process's gateway master, switched off and on. */
    interface MasterSwitch {
        /** Stops the gateway master and returns once it has stopped; whether it was enabled before. */
        boolean disable() throws Exception;

        /** Enables the gateway master (its term begins while this process leads); whether it was disabled before. */
        boolean enable() throws Exception;
    }

    static final String ENABLE_HINT = "gateway:enable starts it again: its next term re-creates the gateway of every "
            + "node with k8s.ovn.org/l3-gateway-config (so does a restart of the gateway bundle or of ovnkube); another "
            + "ovnkube that leads with the gateway bundle active re-creates them too";

    private final MasterSwitch master;
    private final Optional<Supplier<List<String>>> remover;

    /** {@code remover} removes the gateway's rows and returns them one line each; empty: no Northbound here. */
    CleanupCommand(MasterSwitch master, Optional<Supplier<List<String>>> remover) {
        this.master = master;
        this.remover = remover;
    }

    String cleanup() {
        if (remover.isEmpty()) {
            return "no OVN_Northbound connection in this process (io.ovnk.ovsdb.connection with database = "
                    + "OVN_Northbound): nothing removed, the gateway master left as it is";
        }
        boolean wasEnabled;
        try {
            wasEnabled = master.disable();
        } catch (Exception e) {
            return "the gateway master could not be stopped (" + message(e) + "): nothing removed";
        }
        String stopped = wasEnabled ? "the gateway master of this process is stopped and disabled"
                : "the gateway master of this process was already disabled";
        List<String> removed;
        try {
            removed = remover.get().get();
        } catch (RuntimeException e) {
            return stopped + ", but removing the gateway rows failed (" + message(e)
                    + "): run gateway:cleanup again. " + ENABLE_HINT;
        }
        StringBuilder text = new StringBuilder();
        removed.forEach(line -> text.append("removed ").append(line).append('\n'));
        return text.append(removed.size()).append(" gateway rows removed; ").append(stopped).append(". ")
                .append(ENABLE_HINT).toString();
    }

    String enable() {
        try {
            return master.enable() ? "the gateway master of this process is enabled: its term begins while this "
                    + "process leads, and re-creates the gateway rows"
                    : "the gateway master of this process was already enabled";
        } catch (Exception e) {
            return "the gateway master could not be enabled (" + message(e) + ")";
        }
    }

    private static String message(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && (cause instanceof java.util.concurrent.ExecutionException
                || cause instanceof java.util.concurrent.CompletionException)) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}
