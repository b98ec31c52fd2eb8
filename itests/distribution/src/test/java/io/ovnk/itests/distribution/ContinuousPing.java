package io.ovnk.itests.distribution;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ping -i 0.1} from inside a pod to an address of the test's own stack, read line by line: which requests were
 * answered, and a summary once stopped (SIGINT by PID, as Ctrl-C). Closing kills it by PID if it still runs.
 */
final class ContinuousPing implements AutoCloseable {

    private static final Pattern REPLY = Pattern.compile("icmp_seq=(\\d+) ttl=");
    private static final Pattern SENT = Pattern.compile("(\\d+) packets transmitted");

    /** @param lost requests that got no answer, the last one (in flight when stopped) not counted */
    record Outcome(long sent, List<Long> lost) {
    }

    private final Process process;
    private final Thread reader;
    private final Set<Long> answered = new TreeSet<>();
    private final StringBuilder output = new StringBuilder();

    ContinuousPing(io.ovnk.ovnstack.Pod from, String address) throws IOException {
        process = new ProcessBuilder("ip", "netns", "exec", from.namespace(), "ping", "-n", "-i", "0.1", address)
                .redirectErrorStream(true).start();
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    synchronized (answered) {
                        output.append(line).append('\n');
                        Matcher reply = REPLY.matcher(line);
                        if (reply.find()) {
                            answered.add(Long.parseLong(reply.group(1)));
                        }
                        answered.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the ping ended
            }
        }, "continuous-ping");
        reader.setDaemon(true);
        reader.start();
    }

    int replies() {
        synchronized (answered) {
            return answered.size();
        }
    }

    /** Waits until this many requests have been answered in all. */
    void awaitReplies(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (answered) {
            while (answered.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive()) {
                    throw new AssertionError("only " + answered.size() + " of " + count + " pings answered; output:\n"
                            + output);
                }
                answered.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** SIGINT, then the summary. */
    Outcome stop() throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("ping (pid " + process.pid() + ") did not stop on SIGINT");
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        synchronized (answered) {
            Matcher summary = SENT.matcher(output);
            if (!summary.find()) {
                throw new AssertionError("ping printed no summary:\n" + output);
            }
            long sent = Long.parseLong(summary.group(1));
            List<Long> lost = new ArrayList<>();
            for (long seq = 1; seq < sent; seq++) {
                if (!answered.contains(seq)) {
                    lost.add(seq);
                }
            }
            return new Outcome(sent, lost);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
