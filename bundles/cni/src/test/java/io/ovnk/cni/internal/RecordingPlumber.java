package io.ovnk.cni.internal;

import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import io.ovnk.network.spi.PodPlumber;
import io.ovnk.network.spi.Readiness;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A PodPlumber test double that records its calls; the real ones (overlay, underlay) are tested with real OVS in
 * their own bundles. What plumb does can be replaced per test, to block on latches or to fail.
 */
class RecordingPlumber implements PodPlumber {

    /** What plumb does besides recording; may block or throw. */
    interface PlumbAction {
        void run(PodAttachment attachment) throws PlumbingException, InterruptedException;
    }

    final List<PodAttachment> plumbed = new CopyOnWriteArrayList<>();
    final List<Duration> deadlines = new CopyOnWriteArrayList<>();
    final List<List<String>> unplumbed = new CopyOnWriteArrayList<>();
    final List<PodAttachment> checked = new CopyOnWriteArrayList<>();
    final List<Set<String>> collected = new CopyOnWriteArrayList<>();
    final AtomicInteger inPlumb = new AtomicInteger();
    final AtomicInteger mostInPlumb = new AtomicInteger();
    volatile PlumbAction onPlumb = attachment -> { };
    volatile PlumbingException failure;
    volatile Readiness readiness = Readiness.READY;
    volatile Set<String> garbage = Set.of();

    @Override
    public String mode() {
        return "test";
    }

    @Override
    public Readiness readiness() {
        return readiness;
    }

    @Override
    public PlumbedInterface plumb(PodAttachment attachment, Duration timeout) throws PlumbingException {
        int now = inPlumb.incrementAndGet();
        mostInPlumb.accumulateAndGet(now, Math::max);
        try {
            plumbed.add(attachment);
            deadlines.add(timeout);
            try {
                onPlumb.run(attachment);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PlumbingException("interrupted", true);
            }
            if (failure != null) {
                throw failure;
            }
            return new PlumbedInterface(attachment.sandboxId().substring(0, Math.min(15,
                    attachment.sandboxId().length())), "aa:bb:cc:dd:ee:ff", attachment.ifName(), attachment.mac(),
                    attachment.netns());
        } finally {
            inPlumb.decrementAndGet();
        }
    }

    @Override
    public void unplumb(String sandboxId, String netns, String ifName) throws PlumbingException {
        unplumbed.add(List.of(sandboxId, netns, ifName));
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void check(PodAttachment attachment) throws PlumbingException {
        checked.add(attachment);
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public Set<String> collectGarbage(Set<String> validSandboxes) throws PlumbingException {
        collected.add(validSandboxes);
        if (failure != null) {
            throw failure;
        }
        return garbage;
    }
}
