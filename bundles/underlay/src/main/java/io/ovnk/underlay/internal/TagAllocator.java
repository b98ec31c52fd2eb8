package io.ovnk.underlay.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * VLAN tags of child ports, unique per parent port. The Northbound is the record: a tag is in use while a
 * {@code Logical_Switch_Port} with that {@code parent_name} carries it (so a restart recovers every tag, and a
 * port the master deletes gives its tag back). Between {@link #assign} and the master's write of the port, the
 * tag is held here as a reservation; a reservation ends when the Northbound shows the port with it, or, for a pod
 * whose port is never written (deleted meanwhile), once it has not been asked for during {@code grace}.
 *
 * <p>Tags are handed out round robin per parent, so a tag just released (whose old sandbox may still linger in
 * the VM until its CNI DEL) is the last to be given again. Thread-safe; plain Java.
 */
final class TagAllocator {

    /** A tag handed out and not yet seen on the port in the Northbound. */
    private record Reservation(String parent, int tag, long lastAsked) {
    }

    private final int min;
    private final int max;
    private final long graceNanos;
    private final LongSupplier clock;
    /** By port name. */
    private final Map<String, Reservation> reservations = new LinkedHashMap<>();
    /** By parent: the last tag handed out. */
    private final Map<String, Integer> cursors = new HashMap<>();

    TagAllocator(int min, int max, Duration grace, LongSupplier clock) {
        if (min < 1 || max > 4094 || min > max) {
            throw new IllegalArgumentException("tag range " + min + "-" + max + " is not within 1-4094");
        }
        this.min = min;
        this.max = max;
        this.graceNanos = grace.toNanos();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    int min() {
        return min;
    }

    int max() {
        return max;
    }

    /**
     * The tag of {@code port} behind {@code parent}: the one reserved for it, else the one it carries in the
     * Northbound, else {@code wanted} (e.g. from the pod's annotation), each only if no other port behind the parent
     * holds it; else the next free one.
     *
     * @param children the ports whose {@code parent_name} is {@code parent} in the Northbound now, with their tags
     *        (the port itself included if it exists)
     * @throws UnderlayBindException.TagsExhausted when every tag of the range is held by another port behind {@code parent}
     */
    synchronized int assign(String port, String parent, Map<String, Integer> children, OptionalInt wanted) {
        long now = clock.getAsLong();
        // reservations the Northbound now confirms, or nobody asked for in a long time, end
        for (Iterator<Map.Entry<String, Reservation>> it = reservations.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Reservation> entry = it.next();
            Reservation reservation = entry.getValue();
            boolean confirmed = reservation.parent().equals(parent)
                    && Integer.valueOf(reservation.tag()).equals(children.get(entry.getKey()));
            boolean stale = now - reservation.lastAsked() > graceNanos && !entry.getKey().equals(port);
            if (confirmed || stale) {
                it.remove();
            }
        }
        Reservation own = reservations.get(port);
        if (own != null && !own.parent().equals(parent)) {
            reservations.remove(port); // the pod's node now names another VM port
            own = null;
        }
        // what other ports hold: their reservation supersedes the tag their row still shows
        Set<Integer> taken = new HashSet<>();
        children.forEach((child, tag) -> {
            if (!child.equals(port) && !reservations.containsKey(child)) {
                taken.add(tag);
            }
        });
        reservations.forEach((child, reservation) -> {
            if (!child.equals(port) && reservation.parent().equals(parent)) {
                taken.add(reservation.tag());
            }
        });

        Integer chosen = null;
        if (own != null && usable(own.tag(), taken)) {
            chosen = own.tag();
        } else if (children.containsKey(port) && usable(children.get(port), taken)) {
            chosen = children.get(port);
        } else if (wanted.isPresent() && usable(wanted.getAsInt(), taken)) {
            chosen = wanted.getAsInt();
        }
        if (chosen == null) {
            int size = max - min + 1;
            int start = cursors.getOrDefault(parent, max);
            for (int i = 1; i <= size && chosen == null; i++) {
                int candidate = min + Math.floorMod(start - min + i, size);
                if (!taken.contains(candidate)) {
                    chosen = candidate;
                }
            }
            if (chosen == null) {
                throw new UnderlayBindException.TagsExhausted(parent, port, min, max);
            }
            cursors.put(parent, chosen);
        }
        if (Integer.valueOf(chosen).equals(children.get(port))) {
            reservations.remove(port); // the Northbound holds it
        } else {
            reservations.put(port, new Reservation(parent, chosen, now));
        }
        return chosen;
    }

    private boolean usable(int tag, Set<Integer> taken) {
        return tag >= min && tag <= max && !taken.contains(tag);
    }

    /** How many tags are held here and not yet in the Northbound. */
    synchronized int reservations() {
        return reservations.size();
    }

    /** The reserved tag of a port, if any (for tests and diagnostics). */
    synchronized OptionalInt reserved(String port) {
        Reservation reservation = reservations.get(port);
        return reservation == null ? OptionalInt.empty() : OptionalInt.of(reservation.tag());
    }
}
