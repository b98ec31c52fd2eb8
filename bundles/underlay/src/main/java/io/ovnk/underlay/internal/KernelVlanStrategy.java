package io.ovnk.underlay.internal;

import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel-vlan strategy, where the VM's kernel has 802.1Q: the pod's interface is a VLAN sub-interface of the
 * NIC ({@code ip link add link NIC name NIC.TAG type vlan id TAG}) created with the pod's MAC and MTU in the VM and
 * moved into the pod, where it is renamed to {@code CNI_IFNAME} and addressed. Nothing stays in the VM: the
 * interface lives and dies with the pod's namespace, so there is nothing for GC to collect in the VM.
 */
final class KernelVlanStrategy implements VlanStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(KernelVlanStrategy.class);
    private static final Duration CLEANUP = Duration.ofSeconds(10);
    /** What {@code ip link add ... type vlan} says where the kernel has no 802.1Q. */
    static final String NO_8021Q = "Unknown device type";

    private final NodeSettings settings;
    private final Links links;
    private volatile Boolean supported;

    KernelVlanStrategy(NodeSettings settings, Links links) {
        this.settings = settings;
        this.links = links;
    }

    /** The sub-interface's name in the VM, before it moves into the pod: {@code NIC.TAG} where that fits. */
    static String subInterface(String nic, int tag) {
        String name = nic + "." + tag;
        if (name.length() <= 15) {
            return name;
        }
        String suffix = "." + tag;
        return (nic.substring(0, Math.min(nic.length(), 15 - suffix.length()))) + suffix;
    }

    /** The two {@code ip -batch} lines run in the VM: the sub-interface, then its move into the pod. */
    List<String> vmCommands(PodAttachment pod, int tag, String sub) {
        return List.of("link add link " + settings.vmNic() + " name " + sub + " mtu " + pod.mtu() + " address "
                + pod.mac() + " type vlan id " + tag, "link set " + sub + " netns " + pod.netns());
    }

    /** The {@code ip -batch} lines run in the pod: the rename to CNI_IFNAME, then up, addresses and routes. */
    List<String> podCommands(PodAttachment pod, String sub) {
        List<String> lines = new ArrayList<>();
        lines.add("link set " + sub + " name " + pod.ifName());
        lines.addAll(VlanStrategy.podAddressing(pod));
        return lines;
    }

    @Override
    public Optional<String> problem() {
        try {
            Optional<String> nic = links.vmLink(settings.vmNic(), CLEANUP);
            if (nic.isEmpty()) {
                return Optional.of(links.vmDescription() + " has no NIC " + settings.vmNic());
            }
            if (supported == null) {
                supported = probe();
            }
            return supported ? Optional.empty() : Optional.of("the VM's kernel has no 802.1Q VLAN support "
                    + "(CONFIG_VLAN_8021Q); configure " + UnderlayNames.NODE_PID + " strategy = guest-bridge");
        } catch (CommandException e) {
            return Optional.of("cannot read the NIC " + settings.vmNic() + ": " + e.getMessage());
        }
    }

    /**
     * Whether the kernel knows the vlan link type, without touching the NIC: a VLAN on the loopback device, which
     * the kernel refuses for what it is ("VLAN challenged") where it has 802.1Q, and as an unknown type where not.
     */
    private boolean probe() throws CommandException {
        try {
            links.vm(CLEANUP, "link", "add", "link", "lo", "name", "ovnk-vlanprobe", "type", "vlan", "id", "4094");
            links.deleteVmLink("ovnk-vlanprobe", CLEANUP);
            return true;
        } catch (CommandException e) {
            return !e.getMessage().contains(NO_8021Q);
        }
    }

    @Override
    public PlumbedInterface plumb(PodAttachment pod, int tag, long deadline) throws PlumbingException {
        String who = UnderlayPodPlumber.describe(pod);
        String sub = subInterface(settings.vmNic(), tag);
        String step = "creating VLAN sub-interface " + sub + " (VLAN " + tag + " of " + settings.vmNic() + ") in "
                + links.vmDescription() + " and moving it into " + pod.netns();
        try {
            links.vmBatch(vmCommands(pod, tag, sub), UnderlayPodPlumber.remaining(deadline, step));
        } catch (CommandException e) {
            int line = e.failedBatchLine();
            if (line == 1 && e.stderr().contains(NO_8021Q)) {
                throw new PlumbingException(who + ": " + step + ": the VM's kernel has no 802.1Q VLAN support "
                        + "(CONFIG_VLAN_8021Q); configure strategy guest-bridge", false);
            }
            if (line == 1 && e.stderr().contains("exists")) {
                throw new PlumbingException(who + ": " + step + ": VLAN sub-interface " + sub + " (or another VLAN "
                        + tag + " of " + settings.vmNic() + ") already exists in " + links.vmDescription()
                        + "; it is left as it is", false);
            }
            if (line != 1) {
                deleteQuietly(() -> links.deleteVmLink(sub, CLEANUP), who, sub);
            }
            throw new PlumbingException(who + ": " + step + ": " + e.getMessage(), false);
        }
        step = "addressing " + pod.ifName() + " in " + pod.netns();
        try {
            links.podBatch(pod.netns(), podCommands(pod, sub), settings.podTxChecksumOffload() ? null : pod.ifName(),
                    UnderlayPodPlumber.remaining(deadline, step));
            String nicMac = links.vmLink(settings.vmNic(), CLEANUP).map(VlanStrategy::macOf).orElse("");
            LOG.debug("{}: plumbed {} as VLAN {} of {}", who, pod.ifName(), tag, settings.vmNic());
            return new PlumbedInterface(settings.vmNic(), nicMac, pod.ifName(), pod.mac(), pod.netns());
        } catch (CommandException | PlumbingException e) {
            deleteQuietly(() -> links.deletePodLink(pod.netns(), sub, CLEANUP), who, sub);
            deleteQuietly(() -> links.deletePodLink(pod.netns(), pod.ifName(), CLEANUP), who, pod.ifName());
            boolean retryable = e instanceof PlumbingException failure && failure.retryable();
            throw new PlumbingException(who + ": " + step + ": " + e.getMessage(), retryable);
        }
    }

    private interface Deletion {
        boolean run() throws CommandException;
    }

    private static void deleteQuietly(Deletion deletion, String who, String name) {
        try {
            deletion.run();
        } catch (CommandException e) {
            LOG.warn("{}: could not delete {}: {}", who, name, e.getMessage());
        }
    }

    @Override
    public void unplumb(String sandboxId, String netns, String ifName) throws PlumbingException {
        if (netns.isEmpty()) {
            return; // the sub-interface went with the namespace
        }
        try {
            Optional<String> shown = links.podLink(netns, ifName, CLEANUP);
            if (shown.isPresent() && shown.get().contains("vlan protocol 802.1Q")) {
                links.deletePodLink(netns, ifName, CLEANUP);
            }
        } catch (CommandException e) {
            throw new PlumbingException("sandbox " + sandboxId + ": deleting VLAN interface " + ifName + " in "
                    + netns + ": " + e.getMessage(), false);
        }
    }

    @Override
    public List<String> differences(PodAttachment pod, int tag, String podLink) {
        if (!podLink.isEmpty() && !podLink.contains("vlan protocol 802.1Q id " + tag + " ")) {
            return List.of("interface " + pod.ifName() + " is not VLAN " + tag + " of " + settings.vmNic());
        }
        return List.of();
    }

    @Override
    public Set<String> collectGarbage(Set<String> valid) {
        return Set.of();
    }
}
