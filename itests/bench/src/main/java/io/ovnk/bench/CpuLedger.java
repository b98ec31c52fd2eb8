package io.ovnk.bench;

import io.ovnk.ovnstack.Daemon;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * CPU time spent by each part of a benchmark run, from a start snapshot to an end one: this JVM's threads grouped
 * by what their names say they serve (the mock API server's event loop, ovnk's workers, the Kubernetes client's
 * HTTP threads), and the OVN daemons by their PIDs. Says where the time of a run on a small machine goes.
 */
final class CpuLedger {

    /** Linux reports process times in USER_HZ ticks, 100 per second on every architecture's user ABI. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Function<String, String> group;
    private final List<Daemon> daemons;
    private final Map<Long, Long> threadStart = new LinkedHashMap<>();
    private final Map<Daemon, Long> daemonStart = new LinkedHashMap<>();
    private final long processStart;

    private CpuLedger(Function<String, String> group, List<Daemon> daemons) {
        this.group = group;
        this.daemons = daemons;
        for (long id : threads.getAllThreadIds()) {
            threadStart.put(id, Math.max(0, threads.getThreadCpuTime(id)));
        }
        daemons.forEach(daemon -> daemonStart.put(daemon, ticks(daemon.pid())));
        processStart = processCpu();
    }

    /** Starts counting now; {@code group} names the part a thread of this JVM belongs to, from its name. */
    static CpuLedger start(Function<String, String> group, List<Daemon> daemons) {
        return new CpuLedger(group, daemons);
    }

    /** CPU seconds per part since the start, this JVM's total last ("the rest" covers threads that ended). */
    Map<String, Double> seconds() {
        Map<String, Double> parts = new LinkedHashMap<>();
        double counted = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long now = threads.getThreadCpuTime(info.getThreadId());
            if (now < 0) {
                continue;
            }
            double used = (now - threadStart.getOrDefault(info.getThreadId(), 0L)) / 1e9;
            parts.merge(group.apply(info.getThreadName()), used, Double::sum);
            counted += used;
        }
        double process = (processCpu() - processStart) / 1e9;
        parts.merge("rest of this JVM (GC, JIT, threads that ended)", Math.max(0, process - counted), Double::sum);
        for (Daemon daemon : daemons) {
            parts.put(daemon.toString().replaceAll(" \\(pid.*", ""),
                    (ticks(daemon.pid()) - daemonStart.get(daemon)) / TICKS_PER_SECOND);
        }
        return parts;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** utime + stime of a process, fields 14 and 15 of /proc/PID/stat (counted after the command's closing paren). */
    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0; // the daemon is gone: it used nothing more
        }
    }
}
