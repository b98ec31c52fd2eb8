package io.ovnk.kube.internal;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Client-side QPS/burst, as client-go's token bucket: requests beyond the burst wait for their token. Keeps a
 * misbehaving loop from flooding the API server; the wait happens on the thread that sends.
 */
final class RateLimiter implements Interceptor {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    RateLimiter(double qps, int burst) {
        this.perNano = qps / TimeUnit.SECONDS.toNanos(1);
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        long waitNanos = reserve();
        if (waitNanos > 0) {
            LockSupport.parkNanos(waitNanos); // a rate limit is a wait by definition, not a synchronisation
        }
    }

    /** Takes a token (possibly one not yet earned) and says how long to wait until it is. */
    synchronized long reserve() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        tokens -= 1;
        return tokens >= 0 ? 0 : (long) (-tokens / perNano);
    }
}
