package io.ovnk.kube.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.ovnk.kube.Leadership;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs for leadership on a Lease, again and again: while it leads, {@code onLeading} has been given a
 * {@link Leadership}; when it loses, {@code onLost} runs before it becomes a candidate again. Closing releases
 * the Lease, so another candidate takes over at once instead of after the lease duration.
 */
public final class LeaderElection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    /** Lease and timing, as ovn-kubernetes: {@code ovnkube-master} in {@code ovn-kubernetes}, 137/107/26 s. */
    public record Settings(String namespace, String name, String identity, Duration leaseDuration,
            Duration renewDeadline, Duration retryPeriod) {
        public Settings {
            if (!(leaseDuration.compareTo(renewDeadline) > 0 && renewDeadline.compareTo(retryPeriod) > 0
                    && !retryPeriod.isNegative() && !retryPeriod.isZero())) {
                throw new IllegalArgumentException("lease.duration > renew.deadline > retry.period > 0 is needed, not "
                        + leaseDuration.toSeconds() + " / " + renewDeadline.toSeconds() + " / " + retryPeriod.toSeconds() + " s");
            }
            if (identity == null || identity.isBlank()) {
                throw new IllegalArgumentException("identity must not be blank");
            }
        }
    }

    private record Held(String identity, String lease, Instant since) implements Leadership {
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final Consumer<Leadership> onLeading;
    private final Runnable onLost;
    private final ExecutorService executor;
    private volatile boolean closed;
    private volatile CompletableFuture<?> running;

    public LeaderElection(KubernetesClient client, Settings settings, Consumer<Leadership> onLeading, Runnable onLost) {
        this.client = client;
        this.settings = settings;
        this.onLeading = onLeading;
        this.onLost = onLost;
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "ovnk-kube-leader");
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        executor.execute(this::candidate);
    }

    private void candidate() {
        if (closed) {
            return;
        }
        String lease = settings.namespace() + "/" + settings.name();
        LeaderCallbacks callbacks = new LeaderCallbacks(
                () -> {
                    LOG.info("leader election {}: {} leads now", lease, settings.identity());
                    onLeading.accept(new Held(settings.identity(), lease, Instant.now()));
                },
                () -> {
                    LOG.info("leader election {}: {} no longer leads", lease, settings.identity());
                    onLost.run();
                },
                leader -> LOG.info("leader election {}: the leader is {}", lease, leader));
        LeaderElectionConfig config = new LeaderElectionConfig(new LeaseLock(settings.namespace(), settings.name(),
                settings.identity()), settings.leaseDuration(), settings.renewDeadline(), settings.retryPeriod(),
                callbacks, true, "ovnk");
        CompletableFuture<?> round = new LeaderElector(client, config, executor).start();
        running = round;
        round.whenComplete((ignored, failure) -> {
            if (closed) {
                return;
            }
            if (failure != null && !(failure instanceof java.util.concurrent.CancellationException)) {
                LOG.warn("leader election {}: {}; standing again", lease, failure.toString());
            }
            executor.execute(this::candidate); // lost or failed: stand again
        });
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<?> round = running;
        if (round != null) {
            round.cancel(true); // releases the Lease (releaseOnCancel) and calls onStopLeading if leading
        }
        executor.shutdown();
        try {
            // the elector's tasks end with the cancelled round; do not hold the deactivating thread for stragglers
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
