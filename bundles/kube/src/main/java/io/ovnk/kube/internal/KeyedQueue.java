package io.ovnk.kube.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.ovnk.kube.QueueStats;
import io.ovnk.kube.ResourceHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handler's work queue. Informer threads {@link #offer} changes and return at once; a bounded set of
 * workers calls the handler. Per object (key {@code namespace/name}): one worker at a time, changes coalesced
 * into the newest state, the handler told the last state it handled, failures retried after a capped
 * exponential backoff while other objects go on.
 */
final class KeyedQueue<T extends HasMetadata> {

    private static final Logger LOG = LoggerFactory.getLogger(KeyedQueue.class);

    /** What is known of one object: what the handler last handled and what is newest. */
    private static final class Entry<T> {
        T delivered;
        T newest;
        boolean deleted;
        boolean queued;
        boolean running;
        boolean changedWhileRunning;
        ScheduledFuture<?> retry;
        int attempts;
    }

    private final String name;
    private final ResourceHandler<T> handler;
    private final Backoff backoff;
    private final ScheduledExecutorService timer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final Map<String, Entry<T>> entries = new HashMap<>();
    private final ArrayDeque<String> readyKeys = new ArrayDeque<>();
    private final List<Thread> workers = new ArrayList<>();
    private boolean stopped;
    private int inFlight;
    private int retrying;
    private long handled;
    private long failures;
    private String lastFailure = "";

    KeyedQueue(String name, ResourceHandler<T> handler, int workers, Backoff backoff, ScheduledExecutorService timer) {
        if (workers < 1) {
            throw new IllegalArgumentException(ResourceHandler.WORKERS + " must be at least 1, not " + workers);
        }
        this.name = name;
        this.handler = handler;
        this.backoff = backoff;
        this.timer = timer;
        for (int i = 0; i < workers; i++) {
            Thread worker = new Thread(this::work, "ovnk-kube-" + name + "-" + i);
            worker.setDaemon(true);
            this.workers.add(worker);
        }
    }

    String name() {
        return name;
    }

    ResourceHandler<T> handler() {
        return handler;
    }

    void start() {
        workers.forEach(Thread::start);
    }

    /** Stops the workers, waiting for calls in progress up to {@code timeout}; queued changes are dropped. */
    void stop(long timeout, TimeUnit unit) throws InterruptedException {
        lock.lock();
        try {
            stopped = true;
            entries.values().forEach(entry -> {
                if (entry.retry != null) {
                    entry.retry.cancel(false);
                }
            });
            ready.signalAll();
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Thread worker : workers) {
            worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (worker.isAlive()) {
                worker.interrupt();
                LOG.warn("{}: worker {} still busy at shutdown; interrupted", name, worker.getName());
            }
        }
    }

    static String key(HasMetadata resource) {
        String namespace = resource.getMetadata().getNamespace();
        return namespace == null || namespace.isEmpty() ? resource.getMetadata().getName()
                : namespace + "/" + resource.getMetadata().getName();
    }

    /** A change seen by the informer: the newest state, or the last state of a deleted object. Never blocks. */
    void offer(T resource, boolean deleted) {
        String key = key(resource);
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            Entry<T> entry = entries.computeIfAbsent(key, k -> new Entry<>());
            entry.newest = resource;
            entry.deleted = deleted;
            if (entry.running) {
                entry.changedWhileRunning = true;
            } else if (!entry.queued && entry.retry == null) {
                enqueue(key, entry);
            }
        } finally {
            lock.unlock();
        }
    }

    QueueStats stats() {
        lock.lock();
        try {
            return new QueueStats(name, handler.resourceType().getSimpleName(), workers.size(), readyKeys.size(),
                    inFlight, retrying, handled, failures, lastFailure);
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(String key, Entry<T> entry) {
        entry.queued = true;
        readyKeys.addLast(key);
        ready.signal();
    }

    private void work() {
        while (true) {
            String key;
            Entry<T> entry;
            T previous;
            T current;
            boolean deleted;
            lock.lock();
            try {
                while (readyKeys.isEmpty() && !stopped) {
                    ready.awaitUninterruptibly();
                }
                if (stopped) {
                    return;
                }
                key = readyKeys.pollFirst();
                entry = entries.get(key);
                entry.queued = false;
                entry.running = true;
                entry.changedWhileRunning = false;
                inFlight++;
                previous = entry.delivered;
                current = entry.newest;
                deleted = entry.deleted;
            } finally {
                lock.unlock();
            }
            Exception failure = null;
            try {
                deliver(key, entry, previous, current, deleted);
            } catch (Exception e) {
                failure = e;
            } catch (Error e) {
                failure = new IllegalStateException(e.toString(), e);
            }
            finish(key, entry, current, deleted, failure);
        }
    }

    private void deliver(String key, Entry<T> entry, T previous, T current, boolean deleted) throws Exception {
        if (deleted) {
            if (previous != null) {
                handler.deleted(current);
            }
            return;
        }
        if (previous == null) {
            handler.added(current);
        } else if (!Objects.equals(previous.getMetadata().getUid(), current.getMetadata().getUid())) {
            // deleted and created again under the same name while this handler was busy: two objects, two calls
            handler.deleted(previous);
            lock.lock();
            try {
                entry.delivered = null; // a failure of added() below must not repeat the deletion
            } finally {
                lock.unlock();
            }
            handler.added(current);
        } else {
            handler.updated(previous, current);
        }
    }

    private void finish(String key, Entry<T> entry, T current, boolean deleted, Exception failure) {
        lock.lock();
        try {
            entry.running = false;
            inFlight--;
            handled++;
            if (failure == null) {
                entry.delivered = deleted ? null : current;
                entry.attempts = 0;
                if (entry.changedWhileRunning) {
                    enqueue(key, entry);
                } else if (deleted) {
                    entries.remove(key);
                }
                return;
            }
            failures++;
            entry.attempts++;
            lastFailure = key + ": " + failure;
            java.time.Duration wait = backoff.after(entry.attempts);
            // the first two failures are often an order of events resolving itself (a pod before its node);
            // a third, milliseconds later, is worth a line, and then every tenth
            if (entry.attempts == 3 || entry.attempts % 10 == 0) {
                LOG.warn("{}: {} failed (attempt {}), retrying in {} ms: {}", name, key, entry.attempts, wait.toMillis(),
                        failure.toString());
            } else {
                LOG.debug("{}: {} failed (attempt {}), retrying in {} ms: {}", name, key, entry.attempts, wait.toMillis(),
                        failure.toString());
            }
            if (stopped) {
                return;
            }
            retrying++;
            entry.retry = timer.schedule(() -> retry(key, entry), wait.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            lock.unlock();
        }
    }

    private void retry(String key, Entry<T> entry) {
        lock.lock();
        try {
            entry.retry = null;
            retrying--;
            if (!stopped && !entry.running && !entry.queued) {
                enqueue(key, entry);
            }
        } finally {
            lock.unlock();
        }
    }
}
