package io.ovnk.overlay.internal;

import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import io.ovnk.network.spi.PodPlumber;
import io.ovnk.network.spi.Readiness;
import io.ovnk.ovsdb.ConnectionLostException;
import io.ovnk.ovsdb.DeadlineExceededException;
import io.ovnk.ovsdb.NotConnectedException;
import io.ovnk.ovsdb.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Overlay pods on this node, as ovn-kubernetes plumbs them: a veth whose pod end ({@code CNI_IFNAME}) gets the
 * MAC, MTU, addresses and routes, and whose host end (named after the first 15 characters of the sandbox id) is a
 * port of the integration bridge with {@code external_ids:iface-id=<namespace>_<pod>}, {@code iface-id-ver},
 * {@code attached_mac}, {@code ip_addresses} and {@code sandbox}; plumbing ends when ovn-controller reports the
 * interface {@code ovn-installed}. Two processes and one OVSDB transaction per pod: {@code nsenter ... ip -batch}
 * for everything in the pod (the veth made there, its host end sent to the host namespace), then the host end
 * brought up while the port is being added.
 */
final class OverlayPodPlumber implements PodPlumber {

    static final String MODE = "overlay";

    private static final Logger LOG = LoggerFactory.getLogger(OverlayPodPlumber.class);
    /** For undoing and removing, whatever is left of the caller's deadline. */
    private static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(10);

    private final NodeSettings settings;
    private final LocalOvs ovs;
    private final Links links;
    private final Supplier<Readiness> readiness;

    OverlayPodPlumber(NodeSettings settings, LocalOvs ovs, Links links, Supplier<Readiness> readiness) {
        this.settings = settings;
        this.ovs = ovs;
        this.links = links;
        this.readiness = readiness;
    }

    @Override
    public String mode() {
        return MODE;
    }

    @Override
    public Readiness readiness() {
        return readiness.get();
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }

    /** The host end's name, as ovn-kubernetes names it: the sandbox id's first 15 characters. */
    static String hostName(String sandboxId) {
        return sandboxId.length() > 15 ? sandboxId.substring(0, 15) : sandboxId;
    }

    @Override
    public PlumbedInterface plumb(PodAttachment pod, Duration timeout) throws PlumbingException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String who = describe(pod);
        Readiness ready = readiness.get();
        if (!ready.ready()) {
            throw new PlumbingException(who + ": not ready: " + ready.reason(), true);
        }
        String host = hostName(pod.sandboxId());
        if (!NodeSettings.isInterfaceName(host) || !NodeSettings.isInterfaceName(pod.ifName())) {
            throw new PlumbingException(who + ": \"" + host + "\" (from the sandbox id) or \"" + pod.ifName()
                    + "\" is not an interface name", false);
        }

        // 1. the veth, made in the pod; everything inside the pod in the same process
        String podStep = "creating veth " + pod.ifName() + " in " + pod.netns() + " (host end " + host + " in "
                + links.hostNetnsDescription() + ")";
        long begun = System.nanoTime();
        createPodSide(pod, host, who, podStep, deadline);
        long podSideDone = System.nanoTime();

        // 2. the port on the bridge, in one transaction, while the host end is brought up
        LocalOvs.PortRef added = null;
        String step = "adding port " + host + " to " + settings.bridge();
        CompletableFuture<LocalOvs.PortRef> adding = null;
        try {
            adding = ovs.addPodPort(settings.bridge(), host, externalIds(pod), remaining(deadline, step));
            step = "bringing " + host + " up in " + links.hostNetnsDescription();
            links.host(remaining(deadline, step), "link", "set", host, "up");
            step = "adding port " + host + " to " + settings.bridge();
            added = join(adding, deadline, step);
            long portDone = System.nanoTime();

            // 3. ovn-controller installs it
            step = "waiting for ovn-controller to install " + host + " (iface-id " + pod.ifaceId() + ")";
            Row iface = join(ovs.awaitInstalled(added.iface(), remaining(deadline, step)), deadline, step);
            Optional<String> hostMac = iface.<String>set("mac_in_use").stream().findFirst();
            String mac = hostMac.isPresent() ? hostMac.get()
                    : links.hostLinkMac(host, remaining(deadline, step)).orElse("");
            long installed = System.nanoTime();
            // the steps' times say where an ADD's time goes (the CNI benchmark reads them)
            LOG.debug("{}: plumbed {} (host end {}, port on {}) in {} ms: pod side {} ms, port {} ms, ovn-installed {} ms",
                    who, pod.ifName(), host, settings.bridge(), millis(installed - begun), millis(podSideDone - begun),
                    millis(portDone - podSideDone), millis(installed - portDone));
            return new PlumbedInterface(host, mac, pod.ifName(), pod.mac(), pod.netns());
        } catch (PlumbingFailure | CommandException | RuntimeException e) {
            if (added == null && adding != null) {
                added = adding.getNow(null); // done meanwhile, or its outcome unknown: removed by sandbox below
            }
            rollBack(pod, host, added, who);
            throw new PlumbingException(who + ": " + step + ": " + message(e), retryable(e));
        }
    }

    private void createPodSide(PodAttachment pod, String host, String who, String step, long deadline)
            throws PlumbingException {
        List<String> lines = podCommands(pod, host);
        String txOff = settings.podTxChecksumOffload() ? null : pod.ifName();
        for (int attempt = 1;; attempt++) {
            try {
                links.podBatch(pod.netns(), lines, txOff, remaining(deadline, step));
                return;
            } catch (CommandException e) {
                int line = ProcessRunner.failedBatchLine(e);
                if (line == 1 && e.stderr().contains("File exists") && attempt == 1) {
                    // a host end left by an earlier ADD of this sandbox: ovn-kubernetes replaces it too
                    if (deleteHostQuietly(host, who)) {
                        LOG.info("{}: replaced the veth {} left by an earlier attempt", who, host);
                        continue;
                    }
                }
                if (line != 1) {
                    // the veth exists (a later line failed, or ethtool): its host end takes the pod end with it
                    deleteHostQuietly(host, who);
                }
                throw new PlumbingException(who + ": " + step + ": " + e.getMessage(), false);
            } catch (PlumbingFailure e) {
                throw new PlumbingException(who + ": " + step + ": " + e.getMessage(), true); // nothing made yet
            }
        }
    }

    /** The {@code ip -batch} lines run inside the pod's namespace. */
    List<String> podCommands(PodAttachment pod, String host) {
        String dev = pod.ifName();
        List<String> lines = new ArrayList<>();
        lines.add("link add " + dev + " mtu " + pod.mtu() + " address " + pod.mac() + " type veth peer name " + host
                + " mtu " + pod.mtu() + " netns " + links.hostNetnsReference());
        lines.add("link set " + dev + " up");
        for (String address : pod.addresses()) {
            lines.add("addr add " + address + " dev " + dev + (address.contains(":") ? " nodad" : ""));
        }
        for (String gateway : pod.gateways()) {
            lines.add("route add default via " + gateway + " dev " + dev);
        }
        for (PodAttachment.Route route : pod.routes()) {
            lines.add("route add " + route.destination() + " via " + route.nextHop() + " dev " + dev);
        }
        return lines;
    }

    private Map<String, String> externalIds(PodAttachment pod) {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put(LocalOvs.IFACE_ID, pod.ifaceId());
        if (!pod.uid().isEmpty()) {
            ids.put("iface-id-ver", pod.uid());
        }
        ids.put("attached_mac", pod.mac());
        ids.put("ip_addresses", String.join(",", pod.addresses()));
        ids.put(LocalOvs.SANDBOX, pod.sandboxId());
        return ids;
    }

    /** Removes what this call made: the port (by its UUIDs, or by sandbox when the outcome is unknown) and the veth. */
    private void rollBack(PodAttachment pod, String host, LocalOvs.PortRef added, String who) {
        try {
            List<LocalOvs.PortRef> ports = new ArrayList<>(ovs.sandboxPorts(pod.sandboxId(), host));
            if (added != null && ports.stream().noneMatch(p -> p.port().equals(added.port()))) {
                ports.add(added);
            }
            ovs.removePorts(ports, CLEANUP_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warn("{}: could not remove port {} while undoing a failed ADD: {}; CNI DEL or GC removes it", who, host,
                    e.getMessage());
        }
        deleteHostQuietly(host, who);
    }

    private boolean deleteHostQuietly(String host, String who) {
        try {
            return links.deleteHostLink(host, CLEANUP_TIMEOUT);
        } catch (CommandException e) {
            LOG.warn("{}: could not delete veth {}: {}", who, host, e.getMessage());
            return false;
        }
    }

    @Override
    public void unplumb(String sandboxId, String netns, String ifName) throws PlumbingException {
        String host = hostName(sandboxId);
        String who = "sandbox " + sandboxId;
        String step = "removing the OVS ports of the sandbox";
        try {
            List<LocalOvs.PortRef> ports = ovs.sandboxPorts(sandboxId, host);
            ovs.removePorts(ports, CLEANUP_TIMEOUT);
            step = "deleting veth " + host + " in " + links.hostNetnsDescription();
            boolean deleted = NodeSettings.isInterfaceName(host) && links.deleteHostLink(host, CLEANUP_TIMEOUT);
            if (!ports.isEmpty() || deleted) {
                LOG.debug("{}: removed {} port(s){}", who, ports.size(), deleted ? " and veth " + host : "");
            }
        } catch (CommandException | RuntimeException e) {
            throw new PlumbingException(who + ": " + step + ": " + message(e), retryable(e));
        }
    }

    @Override
    public void check(PodAttachment pod) throws PlumbingException {
        String who = describe(pod);
        String host = hostName(pod.sandboxId());
        List<String> differences = new ArrayList<>();
        try {
            Optional<String> shown = links.podAddresses(pod.netns(), pod.ifName(), CLEANUP_TIMEOUT);
            if (shown.isEmpty()) {
                differences.add("interface " + pod.ifName() + " does not exist in " + pod.netns());
            } else {
                differences.addAll(podDifferences(pod, shown.get()));
            }
        } catch (CommandException e) {
            differences.add("cannot read interface " + pod.ifName() + " in " + pod.netns() + ": " + e.getMessage());
        }
        List<LocalOvs.PortRef> ports = ovs.sandboxPorts(pod.sandboxId(), host).stream()
                .filter(p -> pod.ifaceId().equals(p.externalIds().get(LocalOvs.IFACE_ID))).toList();
        if (ports.isEmpty()) {
            differences.add("no OVS port with iface-id " + pod.ifaceId() + " for the sandbox");
        } else {
            Map<String, String> ids = ovs.iface(ports.get(0).iface()).map(row -> row.<String, String>map("external_ids"))
                    .orElse(ports.get(0).externalIds());
            if (!"true".equals(ids.get(LocalOvs.OVN_INSTALLED))) {
                differences.add("OVS port " + ports.get(0).name() + " is not ovn-installed");
            }
            if (!pod.mac().equalsIgnoreCase(ids.getOrDefault("attached_mac", ""))) {
                differences.add("OVS port " + ports.get(0).name() + " has attached_mac "
                        + ids.getOrDefault("attached_mac", "(none)") + ", not " + pod.mac());
            }
        }
        if (!differences.isEmpty()) {
            throw new PlumbingException(who + ": " + String.join("; ", differences), false);
        }
    }

    /** What {@code ip addr show dev} says that differs from the attachment (MAC, addresses, state). */
    static List<String> podDifferences(PodAttachment pod, String shown) {
        List<String> differences = new ArrayList<>();
        String mac = null;
        Set<String> addresses = new LinkedHashSet<>();
        for (String line : shown.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 2 && fields[0].equals("link/ether")) {
                mac = fields[1];
            } else if (fields.length >= 2 && (fields[0].equals("inet") || fields[0].equals("inet6"))) {
                addresses.add(fields[1]);
            }
        }
        if (mac == null || !mac.equalsIgnoreCase(pod.mac())) {
            differences.add("interface " + pod.ifName() + " has MAC " + (mac == null ? "(none)" : mac) + ", not "
                    + pod.mac().toLowerCase(Locale.ROOT));
        }
        for (String address : pod.addresses()) {
            if (!addresses.contains(address)) {
                differences.add("interface " + pod.ifName() + " lacks address " + address + " (has " + addresses + ")");
            }
        }
        if (!shown.contains(",UP") && !shown.contains("<UP")) {
            differences.add("interface " + pod.ifName() + " is down");
        }
        return differences;
    }

    @Override
    public Set<String> collectGarbage(Set<String> validSandboxes) throws PlumbingException {
        List<LocalOvs.PortRef> stale = ovs.podPorts().stream()
                .filter(port -> !validSandboxes.contains(port.sandbox())).toList();
        if (stale.isEmpty()) {
            return Set.of();
        }
        try {
            ovs.removePorts(stale, CLEANUP_TIMEOUT);
        } catch (RuntimeException e) {
            throw new PlumbingException("garbage collection: removing " + stale.size() + " OVS port(s) of sandboxes "
                    + sandboxes(stale) + ": " + message(e), retryable(e));
        }
        List<String> failures = new ArrayList<>();
        for (LocalOvs.PortRef port : stale) {
            try {
                links.deleteHostLink(port.name(), CLEANUP_TIMEOUT);
            } catch (CommandException e) {
                failures.add(e.getMessage());
            }
        }
        Set<String> removed = sandboxes(stale);
        LOG.info("garbage collection: removed the ports of {} sandbox(es) no longer valid: {}", removed.size(), removed);
        if (!failures.isEmpty()) {
            throw new PlumbingException("garbage collection: ports removed, but veths remain: " + failures, true);
        }
        return removed;
    }

    private static Set<String> sandboxes(List<LocalOvs.PortRef> ports) {
        Set<String> sandboxes = new LinkedHashSet<>();
        ports.forEach(port -> sandboxes.add(port.sandbox()));
        return Set.copyOf(sandboxes);
    }

    private static String describe(PodAttachment pod) {
        return "pod " + pod.namespace() + "/" + pod.name() + " sandbox " + hostName(pod.sandboxId());
    }

    /** The time left before the caller's deadline; none left is a failure naming the step. */
    private static Duration remaining(long deadline, String step) throws PlumbingFailure {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new PlumbingFailure("the deadline passed before " + step, true);
        }
        return Duration.ofNanos(left);
    }

    private static <T> T join(CompletableFuture<T> future, long deadline, String step) throws PlumbingFailure {
        try {
            return future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DeadlineExceededException) {
                throw new PlumbingFailure("not done within the deadline", true);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new PlumbingFailure("not done within the deadline", true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlumbingFailure("interrupted", true);
        }
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** Whether the same request may succeed later: time and connection trouble may pass, a bad request not. */
    private static boolean retryable(Exception e) {
        if (e instanceof PlumbingFailure failure) {
            return failure.retryable;
        }
        return e instanceof NotConnectedException || e instanceof ConnectionLostException
                || e instanceof DeadlineExceededException || e instanceof IllegalStateException;
    }

    /** A step of this class that failed, with whether a retry may help. */
    private static final class PlumbingFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean retryable;

        PlumbingFailure(String message, boolean retryable) {
            super(message);
            this.retryable = retryable;
        }
    }
}
