package io.ovnk.kube;

/**
 * One handler's work queue: {@code depth} objects waiting, {@code inFlight} being handled, {@code retrying}
 * waiting out a backoff; totals of handled calls and failures since start, and the last failure.
 */
public record QueueStats(String handler, String kind, int workers, int depth, int inFlight, int retrying,
        long handled, long failures, String lastFailure) {
}
