package io.ovnk.kube.internal;

import java.time.Duration;

/** Capped exponential backoff: {@code base * 2^(attempt-1)}, at most {@code max}. */
record Backoff(Duration base, Duration max) {

    Backoff {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff: base must be positive and max at least base, not " + base
                    + " and " + max);
        }
    }

    Duration after(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 40);
        long nanos = base.toNanos();
        for (int i = 0; i < doublings && nanos < max.toNanos(); i++) {
            nanos *= 2;
        }
        return Duration.ofNanos(Math.min(nanos, max.toNanos()));
    }
}
