package io.ovnk.cni.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One fair lock per key (a pod), made when first needed and dropped when nobody holds or waits for it: requests
 * for one pod run one after another in arrival order, requests for different pods in parallel.
 */
final class KeyedLocks {

    /** Released when closed; what {@link #acquire} returns. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }

    private final Map<String, Entry> entries = new HashMap<>();
    private final Consumer<String> onContended;

    /** @param onContended told the key when a caller has to wait for another holder (a log line; tests). */
    KeyedLocks(Consumer<String> onContended) {
        this.onContended = onContended;
    }

    /**
     * Takes the key's lock, waiting at most {@code timeout} for an earlier holder.
     *
     * @return the held lock, or null when the earlier holder kept it longer than {@code timeout}
     */
    Held acquire(String key, Duration timeout) throws InterruptedException {
        Entry entry;
        synchronized (entries) {
            entry = entries.computeIfAbsent(key, k -> new Entry());
            entry.users++;
        }
        boolean locked = false;
        try {
            locked = entry.lock.tryLock();
            if (!locked) {
                onContended.accept(key);
                locked = entry.lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
        } finally {
            if (!locked) {
                release(key, entry);
            }
        }
        if (!locked) {
            return null;
        }
        return () -> {
            entry.lock.unlock();
            release(key, entry);
        };
    }

    private void release(String key, Entry entry) {
        synchronized (entries) {
            if (--entry.users == 0) {
                entries.remove(key);
            }
        }
    }

    /** How many keys are held or waited for (tests: nothing leaks). */
    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
