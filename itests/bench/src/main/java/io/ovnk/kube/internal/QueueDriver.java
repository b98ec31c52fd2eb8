package io.ovnk.kube.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.ovnk.kube.ResourceHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Drives a handler work queue directly, for the benchmark: the queue is package-private in the kube bundle, and
 * this class shares its package on the benchmark's plain class path.
 */
public final class QueueDriver {

    private QueueDriver() {
    }

    /** Offers every object once to a fresh queue of {@code workers} and returns when {@code done} says so. */
    public static <T extends HasMetadata> long offerAll(ResourceHandler<T> handler, int workers, List<T> objects,
            Runnable awaitDone) throws InterruptedException {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        KeyedQueue<T> queue = new KeyedQueue<>("bench", handler, workers,
                new Backoff(Duration.ofMillis(5), Duration.ofSeconds(1)), timer);
        queue.start();
        try {
            long start = System.nanoTime();
            for (T object : objects) {
                queue.offer(object, false);
            }
            awaitDone.run();
            return System.nanoTime() - start;
        } finally {
            queue.stop(5, TimeUnit.SECONDS);
            timer.shutdownNow();
        }
    }
}
