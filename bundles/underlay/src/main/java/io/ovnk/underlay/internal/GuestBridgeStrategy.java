package io.ovnk.underlay.internal;

import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import io.ovnk.ovsdb.ConnectionLostException;
import io.ovnk.ovsdb.DeadlineExceededException;
import io.ovnk.ovsdb.NotConnectedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest-bridge strategy, for VMs whose kernel has no 802.1Q: a small OVS bridge inside the VM trunks the NIC,
 * and each pod is a veth whose VM end (named after the sandbox id's first 15 characters) is an access port with
 * the pod's tag. The bridge and its daemons are the VM's (set up with it); this makes and removes pod ports only.
 */
final class GuestBridgeStrategy implements VlanStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(GuestBridgeStrategy.class);
    private static final Duration CLEANUP = Duration.ofSeconds(10);

    private final NodeSettings settings;
    private final GuestBridge ovs;
    private final Links links;

    GuestBridgeStrategy(NodeSettings settings, GuestBridge ovs, Links links) {
        this.settings = settings;
        this.ovs = ovs;
        this.links = links;
    }

    /** The VM end's alias, which tells a veth of this sandbox from anything else of the same name. */
    static String alias(PodAttachment pod) {
        return "ovnk-sandbox:" + pod.sandboxId();
    }

    static String hostName(String sandboxId) {
        return sandboxId.length() > 15 ? sandboxId.substring(0, 15) : sandboxId;
    }

    @Override
    public Optional<String> problem() {
        return ovs.problem(settings.guestBridge(), settings.vmNic());
    }

    @Override
    public PlumbedInterface plumb(PodAttachment pod, int tag, long deadline) throws PlumbingException {
        String who = UnderlayPodPlumber.describe(pod);
        String host = hostName(pod.sandboxId());
        if (!NodeSettings.isInterfaceName(host)) {
            throw new PlumbingException(who + ": \"" + host + "\" (from the sandbox id) is not an interface name", false);
        }
        createVeth(pod, host, who, deadline);
        GuestBridge.PortRef added = null;
        CompletableFuture<GuestBridge.PortRef> adding = null;
        String step = "adding access port " + host + " (VLAN " + tag + ") to " + settings.guestBridge();
        try {
            adding = ovs.addAccessPort(settings.guestBridge(), host, tag, externalIds(pod, tag),
                    UnderlayPodPlumber.remaining(deadline, step));
            step = "bringing " + host + " up in " + links.vmDescription();
            links.vm(UnderlayPodPlumber.remaining(deadline, step), "link", "set", host, "up", "alias", alias(pod));
            step = "adding access port " + host + " (VLAN " + tag + ") to " + settings.guestBridge();
            added = join(adding, deadline);
            step = "waiting for the VM's ovs-vswitchd to attach " + host;
            join(ovs.awaitAttached(added.iface(), UnderlayPodPlumber.remaining(deadline, step)), deadline);
            String mac = links.vmLink(host, CLEANUP).map(VlanStrategy::macOf).orElse("");
            LOG.debug("{}: plumbed {} on VLAN {} (access port {} of {})", who, pod.ifName(), tag, host,
                    settings.guestBridge());
            return new PlumbedInterface(host, mac, pod.ifName(), pod.mac(), pod.netns());
        } catch (PlumbingException | CommandException | RuntimeException e) {
            if (added == null && adding != null) {
                added = adding.getNow(null);
            }
            rollBack(pod, host, added, who);
            if (e instanceof PlumbingException failure) {
                throw new PlumbingException(who + ": " + step + ": " + failure.getMessage(), failure.retryable());
            }
            throw new PlumbingException(who + ": " + step + ": " + UnderlayPodPlumber.message(e), retryable(e));
        }
    }

    private void createVeth(PodAttachment pod, String host, String who, long deadline) throws PlumbingException {
        List<String> lines = new ArrayList<>();
        lines.add("link add " + pod.ifName() + " mtu " + pod.mtu() + " address " + pod.mac() + " type veth peer name "
                + host + " mtu " + pod.mtu() + " netns " + settings.hostNetnsReference());
        lines.addAll(VlanStrategy.podAddressing(pod));
        String step = "creating veth " + pod.ifName() + " in " + pod.netns() + " (VM end " + host + ")";
        for (int attempt = 1;; attempt++) {
            try {
                links.podBatch(pod.netns(), lines, settings.podTxChecksumOffload() ? null : pod.ifName(),
                        UnderlayPodPlumber.remaining(deadline, step));
                return;
            } catch (CommandException e) {
                int line = e.failedBatchLine();
                if (line == 1 && e.stderr().contains("File exists")) {
                    Optional<String> clash = clash(pod, host);
                    if (clash.isPresent()) {
                        throw new PlumbingException(who + ": " + step + ": " + clash.get(), false);
                    }
                    if (attempt == 1 && deleteQuietly(host, who)) {
                        LOG.info("{}: replaced the veth {} an earlier attempt of this sandbox left", who, host);
                        continue;
                    }
                }
                if (line != 1) {
                    deleteQuietly(host, who); // the veth exists; its VM end takes the pod end with it
                }
                throw new PlumbingException(who + ": " + step + ": " + e.getMessage(), false);
            }
        }
    }

    /**
     * Why an existing interface named {@code host} in the VM (or {@code ifName} in the pod) is not ours to replace;
     * empty when it is a veth left by an earlier attempt of this sandbox (its alias names the sandbox).
     */
    private Optional<String> clash(PodAttachment pod, String host) {
        try {
            Optional<String> existing = links.vmLink(host, CLEANUP);
            if (existing.isEmpty()) {
                return Optional.of("interface " + pod.ifName() + " already exists in the pod's namespace");
            }
            if (!existing.get().contains("alias " + alias(pod))) {
                return Optional.of("interface " + host + " already exists in " + links.vmDescription()
                        + " and is not a veth of this sandbox; it is left as it is");
            }
            return Optional.empty();
        } catch (CommandException e) {
            return Optional.of("interface " + host + " exists and cannot be read: " + e.getMessage());
        }
    }

    private Map<String, String> externalIds(PodAttachment pod, int tag) {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put(GuestBridge.IFACE_ID, pod.ifaceId());
        if (!pod.uid().isEmpty()) {
            ids.put("iface-id-ver", pod.uid());
        }
        ids.put("attached_mac", pod.mac());
        ids.put("ip_addresses", String.join(",", pod.addresses()));
        ids.put(GuestBridge.SANDBOX, pod.sandboxId());
        return ids;
    }

    private void rollBack(PodAttachment pod, String host, GuestBridge.PortRef added, String who) {
        try {
            List<GuestBridge.PortRef> ports = new ArrayList<>(ovs.sandboxPorts(pod.sandboxId(), host));
            if (added != null && ports.stream().noneMatch(p -> p.port().equals(added.port()))) {
                ports.add(added);
            }
            ovs.removePorts(ports, CLEANUP);
        } catch (RuntimeException e) {
            LOG.warn("{}: could not remove port {} while undoing a failed ADD: {}; CNI DEL or GC removes it", who, host,
                    e.getMessage());
        }
        deleteQuietly(host, who);
    }

    private boolean deleteQuietly(String host, String who) {
        try {
            return links.deleteVmLink(host, CLEANUP);
        } catch (CommandException e) {
            LOG.warn("{}: could not delete veth {}: {}", who, host, e.getMessage());
            return false;
        }
    }

    @Override
    public void unplumb(String sandboxId, String netns, String ifName) throws PlumbingException {
        String host = hostName(sandboxId);
        String step = "removing the guest bridge ports of the sandbox";
        try {
            ovs.removePorts(ovs.sandboxPorts(sandboxId, host), CLEANUP);
            step = "deleting veth " + host + " in " + links.vmDescription();
            if (NodeSettings.isInterfaceName(host)) {
                links.deleteVmLink(host, CLEANUP);
            }
        } catch (CommandException | RuntimeException e) {
            throw new PlumbingException("sandbox " + sandboxId + ": " + step + ": " + UnderlayPodPlumber.message(e),
                    retryable(e));
        }
    }

    @Override
    public List<String> differences(PodAttachment pod, int tag, String podLink) {
        List<String> differences = new ArrayList<>();
        List<GuestBridge.PortRef> ports = ovs.sandboxPorts(pod.sandboxId(), hostName(pod.sandboxId())).stream()
                .filter(p -> pod.ifaceId().equals(p.externalIds().get(GuestBridge.IFACE_ID))).toList();
        if (ports.isEmpty()) {
            differences.add("no port with iface-id " + pod.ifaceId() + " for the sandbox on " + settings.guestBridge());
        } else if (ports.get(0).tag() != tag) {
            differences.add("port " + ports.get(0).name() + " has VLAN " + ports.get(0).tag() + ", not " + tag);
        }
        return differences;
    }

    @Override
    public Set<String> collectGarbage(Set<String> valid) throws PlumbingException {
        List<GuestBridge.PortRef> stale = ovs.podPorts().stream().filter(p -> !valid.contains(p.sandbox())).toList();
        if (stale.isEmpty()) {
            return Set.of();
        }
        try {
            ovs.removePorts(stale, CLEANUP);
        } catch (RuntimeException e) {
            throw new PlumbingException("garbage collection: removing " + stale.size() + " port(s) from "
                    + settings.guestBridge() + ": " + UnderlayPodPlumber.message(e), retryable(e));
        }
        List<String> failures = new ArrayList<>();
        for (GuestBridge.PortRef port : stale) {
            try {
                links.deleteVmLink(port.name(), CLEANUP);
            } catch (CommandException e) {
                failures.add(e.getMessage());
            }
        }
        Set<String> removed = new LinkedHashSet<>();
        stale.forEach(port -> removed.add(port.sandbox()));
        LOG.info("garbage collection: removed the guest bridge ports of {} sandbox(es) no longer valid: {}",
                removed.size(), removed);
        if (!failures.isEmpty()) {
            throw new PlumbingException("garbage collection: ports removed, but veths remain: " + failures, true);
        }
        return Set.copyOf(removed);
    }

    private static <T> T join(CompletableFuture<T> future, long deadline) throws PlumbingException {
        try {
            return future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DeadlineExceededException) {
                throw new PlumbingException("not done within the deadline", true);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new PlumbingException("not done within the deadline", true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlumbingException("interrupted", true);
        }
    }

    private static boolean retryable(Exception e) {
        return e instanceof NotConnectedException || e instanceof ConnectionLostException
                || e instanceof DeadlineExceededException;
    }
}
