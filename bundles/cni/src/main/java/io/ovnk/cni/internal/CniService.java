package io.ovnk.cni.internal;

import io.ovnk.cni.internal.CniRequest.Attachment;
import io.ovnk.cni.internal.CniRequest.PodRef;
import io.ovnk.kube.PodNetwork;
import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import io.ovnk.network.spi.PodPlumber;
import io.ovnk.network.spi.Readiness;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * What the CNI server does with a request body: parse it strictly, run the command against whichever
 * {@link PodPlumber} is present, and answer a CNI result or a CNI error. Requests for one pod run one after the
 * other; different pods in parallel. Plain Java: the component wires it, tests build it with {@code new}.
 */
final class CniService {

    private static final Logger LOG = LoggerFactory.getLogger(CniService.class);

    /** What may change while the server runs (component configuration). */
    record Settings(Duration annotationTimeout, Duration plumbTimeout, int mtu) {
        Settings {
            if (annotationTimeout.isNegative() || annotationTimeout.isZero() || plumbTimeout.isNegative()
                    || plumbTimeout.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive: " + annotationTimeout + ", "
                        + plumbTimeout);
            }
        }
    }

    /** An HTTP answer: 200 and a result (maybe empty), or 400 and a CNI error. */
    record Reply(int status, byte[] body) {
    }

    private final Supplier<PodPlumber> plumbers;
    private final PodWaiter pods;
    private final Supplier<Settings> settings;
    private final KeyedLocks locks;
    private final CniMetrics metrics;

    CniService(Supplier<PodPlumber> plumbers, PodWaiter pods, Supplier<Settings> settings) {
        this(plumbers, pods, settings, new CniMetrics());
    }

    CniService(Supplier<PodPlumber> plumbers, PodWaiter pods, Supplier<Settings> settings, CniMetrics metrics) {
        this(plumbers, pods, settings, key -> LOG.debug("{}: waiting for the previous CNI request to finish", key),
                metrics);
    }

    CniService(Supplier<PodPlumber> plumbers, PodWaiter pods, Supplier<Settings> settings,
            java.util.function.Consumer<String> onContended) {
        this(plumbers, pods, settings, onContended, new CniMetrics());
    }

    /** @param onContended told the pod when a request waits for an earlier one of the same pod */
    CniService(Supplier<PodPlumber> plumbers, PodWaiter pods, Supplier<Settings> settings,
            java.util.function.Consumer<String> onContended, CniMetrics metrics) {
        this.metrics = metrics;
        this.plumbers = plumbers;
        this.pods = pods;
        this.settings = settings;
        this.locks = new KeyedLocks(onContended);
    }

    /** Never throws: every failure is a CNI error reply. */
    Reply handle(byte[] body) {
        CniRequest request;
        try {
            request = CniRequestParser.parse(body);
        } catch (CniException e) {
            LOG.debug("CNI request refused: code {}: {}", e.code(), e.getMessage());
            metrics.refused();
            return error(CniVersions.CURRENT, e);
        }
        long start = System.nanoTime();
        try {
            byte[] result = execute(request);
            log(request, start, "ok", null);
            metrics.served(request.command(), System.nanoTime() - start, null);
            return new Reply(200, result);
        } catch (CniException e) {
            log(request, start, "failed", e);
            metrics.served(request.command(), System.nanoTime() - start, e);
            return error(request.config().cniVersion(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CniException stopping = new CniException(CniException.TRY_AGAIN_LATER, "the ovnk CNI server is stopping");
            log(request, start, "failed", stopping);
            metrics.served(request.command(), System.nanoTime() - start, stopping);
            return error(request.config().cniVersion(), stopping);
        } catch (RuntimeException e) {
            LOG.error("CNI {} {}: unexpected failure", request.command(), request.podName(), e);
            metrics.served(request.command(), System.nanoTime() - start,
                    new CniException(CniException.PLUMBING_FAILED, String.valueOf(e)));
            return error(request.config().cniVersion(), new CniException(CniException.PLUMBING_FAILED,
                    request.podName() + ": " + e));
        }
    }

    private byte[] execute(CniRequest request) throws CniException, InterruptedException {
        return switch (request.command()) {
            case VERSION -> CniResults.bytes(CniResults.version());
            case STATUS -> status();
            case GC -> collectGarbage(request);
            case ADD, DEL, CHECK -> serialised(request);
        };
    }

    /**
     * ADD, DEL and CHECK, one at a time per pod. The whole request, including the wait for an earlier request of the
     * same pod, gets the annotation and plumbing timeouts together, so that the shim (which waits 330 s) always
     * hears an answer.
     */
    private byte[] serialised(CniRequest request) throws CniException, InterruptedException {
        Settings now = settings.get();
        long deadline = System.nanoTime() + now.annotationTimeout().plus(now.plumbTimeout()).toNanos();
        try (KeyedLocks.Held held = locks.acquire(request.lockKey(), now.annotationTimeout().plus(now.plumbTimeout()))) {
            if (held == null) {
                throw new CniException(CniException.TRY_AGAIN_LATER, request.podName()
                        + ": an earlier CNI request for it is still running");
            }
            return switch (request.command()) {
                case ADD -> add(request, now, deadline);
                case DEL -> delete(request);
                case CHECK -> check(request, now);
                default -> throw new IllegalStateException(request.command().toString());
            };
        }
    }

    /** The smaller of {@code limit} and what is left until {@code deadline}; "try again later" when nothing is. */
    private static Duration within(Duration limit, long deadline, CniRequest request) throws CniException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new CniException(CniException.TRY_AGAIN_LATER, request.podName()
                    + ": no time left after waiting for an earlier CNI request for it");
        }
        return limit.toNanos() <= left ? limit : Duration.ofNanos(left);
    }

    private byte[] add(CniRequest request, Settings now, long deadline) throws CniException, InterruptedException {
        PodRef pod = request.pod().orElseThrow();
        plumber(request); // no mode: fail now rather than after the annotation wait
        PodWaiter.Networked network = pods.await(pod, within(now.annotationTimeout(), deadline, request));
        long annotated = System.nanoTime();
        PodAttachment attachment = attachment(request, pod, network, now.mtu());
        LOG.debug("CNI ADD pod {}: plumbing {}", pod, attachment);
        PodPlumber plumber = plumber(request);
        PlumbedInterface plumbed;
        try {
            plumbed = plumber.plumb(attachment, within(now.plumbTimeout(), deadline, request));
        } catch (PlumbingException e) {
            throw plumbingFailed(plumber, "plumb", request, e);
        } catch (RuntimeException e) {
            throw modeFailed(plumber, "plumb", request, e);
        }
        metrics.podSetUp(plumber.mode(), System.nanoTime() - annotated);
        return CniResults.bytes(CniResults.add(request.config().cniVersion(), plumbed, attachment));
    }

    private byte[] delete(CniRequest request) throws CniException {
        PodPlumber plumber = plumber(request);
        // a netns that is gone is no reason to fail: what is left of the sandbox is removed all the same
        String netns = exists(request.netns()) ? request.netns() : "";
        try {
            plumber.unplumb(request.containerId(), netns, request.ifName());
        } catch (PlumbingException e) {
            throw plumbingFailed(plumber, "unplumb", request, e);
        } catch (RuntimeException e) {
            throw modeFailed(plumber, "unplumb", request, e);
        }
        return new byte[0];
    }

    private byte[] check(CniRequest request, Settings now) throws CniException {
        PodRef pod = request.pod().orElseThrow();
        PodPlumber plumber = plumber(request);
        PodWaiter.Networked network = pods.current(pod);
        PodAttachment attachment = attachment(request, pod, network, now.mtu());
        if (request.config().prevResult().isPresent()) {
            Set<String> previous = previousAddresses(request.config().prevResult().get());
            Set<String> annotated = new TreeSet<>(attachment.addresses());
            if (!previous.equals(annotated)) {
                throw new CniException(CniException.CHECK_FAILED, "pod " + pod + ": prevResult.ips " + previous
                        + " differ from the annotated addresses " + annotated);
            }
        }
        try {
            plumber.check(attachment);
        } catch (PlumbingException e) {
            throw plumbingFailed(plumber, "check", request, e);
        } catch (RuntimeException e) {
            throw modeFailed(plumber, "check", request, e);
        }
        return new byte[0];
    }

    private static Set<String> previousAddresses(JsonNode prevResult) throws CniException {
        JsonNode ips = prevResult.get("ips");
        Set<String> addresses = new TreeSet<>();
        if (ips == null || ips.isNull()) {
            return addresses;
        }
        if (!ips.isArray()) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "prevResult.ips: expected an array");
        }
        for (int i = 0; i < ips.size(); i++) {
            JsonNode address = ips.get(i).get("address");
            if (address == null || !address.isString()) {
                throw new CniException(CniException.INVALID_NETWORK_CONFIG, "prevResult.ips[" + i
                        + "].address: expected a string");
            }
            addresses.add(address.asString());
        }
        return addresses;
    }

    private byte[] status() throws CniException {
        PodPlumber plumber = plumbers.get();
        if (plumber == null) {
            throw new CniException(CniException.PLUGIN_NOT_AVAILABLE, "no network mode is running");
        }
        Readiness readiness;
        try {
            readiness = plumber.readiness();
        } catch (RuntimeException e) {
            LOG.warn("CNI STATUS: network mode {} failed to tell its readiness", plumber.mode(), e);
            throw new CniException(CniException.PLUGIN_NOT_AVAILABLE, "network mode " + plumber.mode()
                    + ": readiness unknown: " + e);
        }
        if (!readiness.ready()) {
            throw new CniException(CniException.PLUGIN_NOT_AVAILABLE, "network mode " + plumber.mode()
                    + " is not ready: " + readiness.reason());
        }
        return new byte[0];
    }

    private byte[] collectGarbage(CniRequest request) throws CniException {
        PodPlumber plumber = plumber(request);
        Set<String> valid = request.config().validAttachments().stream().map(Attachment::containerId)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        Set<String> removed;
        try {
            removed = plumber.collectGarbage(Set.copyOf(valid));
        } catch (PlumbingException e) {
            throw plumbingFailed(plumber, "collect garbage", request, e);
        } catch (RuntimeException e) {
            throw modeFailed(plumber, "collect garbage", request, e);
        }
        LOG.info("CNI GC: {} valid sandboxes, removed the attachments of {}", valid.size(),
                removed.isEmpty() ? "none" : new TreeSet<>(removed));
        return new byte[0];
    }

    private PodPlumber plumber(CniRequest request) throws CniException {
        PodPlumber plumber = plumbers.get();
        if (plumber == null) {
            throw new CniException(CniException.TRY_AGAIN_LATER, request.podName()
                    + ": no network mode is running, try again later");
        }
        return plumber;
    }

    /** The attachment from the pod's network and the annotations of the same pod object (a mode reads its own). */
    private static PodAttachment attachment(CniRequest request, PodRef pod, PodWaiter.Networked networked, int mtu) {
        PodNetwork network = networked.network();
        return new PodAttachment(pod.namespace(), pod.name(), pod.uid(), request.containerId(), request.netns(),
                request.ifName(), network.macAddress().toString(),
                network.ipAddresses().stream().map(Object::toString).toList(),
                network.gatewayIps().stream().map(Object::toString).toList(),
                network.routes().stream().map(route -> new PodAttachment.Route(route.dest().toString(),
                        route.nextHop().toString())).toList(),
                mtu, networked.annotations());
    }

    private static CniException plumbingFailed(PodPlumber plumber, String what, CniRequest request,
            PlumbingException e) {
        String message = request.podName() + ": network mode " + plumber.mode() + " could not " + what + ": "
                + e.getMessage();
        return new CniException(e.retryable() ? CniException.TRY_AGAIN_LATER : CniException.PLUMBING_FAILED,
                message, e.getCause() == null ? "" : e.getCause().toString());
    }

    private static CniException modeFailed(PodPlumber plumber, String what, CniRequest request, RuntimeException e) {
        LOG.error("CNI {} {}: network mode {} failed to {}", request.command(), request.podName(), plumber.mode(),
                what, e);
        return new CniException(CniException.PLUMBING_FAILED, request.podName() + ": network mode " + plumber.mode()
                + " failed to " + what + ": " + e);
    }

    private static boolean exists(String netns) {
        if (netns.isEmpty()) {
            return false;
        }
        try {
            return Files.exists(Path.of(netns));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private static Reply error(String cniVersion, CniException failure) {
        return new Reply(400, CniResults.bytes(CniResults.error(cniVersion, failure)));
    }

    /** {@code pod default/web-1 sandbox 3f2a... eth0}, or {@code sandbox 3f2a... eth0} when the pod is not named. */
    private static String subject(CniRequest request) {
        return request.pod().map(pod -> "pod " + pod + " ").orElse("") + "sandbox " + request.containerId() + " "
                + request.ifName();
    }

    /** One INFO line per ADD and DEL result; DEBUG for the rest. */
    private static void log(CniRequest request, long start, String outcome, CniException failure) {
        long millis = (System.nanoTime() - start) / 1_000_000;
        boolean info = request.command() == CniCommand.ADD || request.command() == CniCommand.DEL;
        if (failure == null) {
            if (info) {
                LOG.info("CNI {} {}: {} in {} ms", request.command(), subject(request), outcome, millis);
            } else {
                LOG.debug("CNI {} {}: {} in {} ms", request.command(), request.podName(), outcome, millis);
            }
        } else if (info || request.command() == CniCommand.CHECK) {
            LOG.info("CNI {} {}: {} in {} ms: code {}: {}", request.command(), subject(request), outcome, millis,
                    failure.code(), failure.getMessage());
        } else if (request.command() == CniCommand.GC) {
            LOG.info("CNI GC: {} in {} ms: code {}: {}", outcome, millis, failure.code(), failure.getMessage());
        } else {
            LOG.debug("CNI {}: {} in {} ms: code {}: {}", request.command(), outcome, millis, failure.code(),
                    failure.getMessage());
        }
    }
}
