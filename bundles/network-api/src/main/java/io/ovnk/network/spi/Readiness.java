package io.ovnk.network.spi;

import java.util.Objects;

/** Whether a node's mode can plumb pods now, and if not, why (CNI STATUS reports it). */
public record Readiness(boolean ready, String reason) {

    public static final Readiness READY = new Readiness(true, "ready");

    public Readiness {
        Objects.requireNonNull(reason, "reason");
    }

    public static Readiness notReady(String reason) {
        return new Readiness(false, reason);
    }
}
