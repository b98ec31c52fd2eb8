package io.ovnk.underlay.internal;

import io.ovnk.network.spi.PlumbedInterface;
import io.ovnk.network.spi.PlumbingException;
import io.ovnk.network.spi.PodAttachment;
import io.ovnk.network.spi.PodPlumber;
import io.ovnk.network.spi.Readiness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Underlay pods inside this VM: the pod's VLAN comes from its {@value UnderlayNames#POD_VLAN} annotation, which the
 * master writes with the pod's network and the CNI server hands over in the attachment; the
 * interface (MAC, MTU, addresses, routes from the attachment) from the configured {@link VlanStrategy}. There is no
 * OVN inside the VM: the hypervisor's ovn-controller binds the pod's port once tagged frames arrive on the VM's port.
 */
final class UnderlayPodPlumber implements PodPlumber {

    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

    private final VlanStrategy strategy;
    private final Links links;

    UnderlayPodPlumber(VlanStrategy strategy, Links links) {
        this.strategy = strategy;
        this.links = links;
    }

    /**
     * The pod's VLAN from the attachment's {@value UnderlayNames#POD_VLAN}. Missing: the pod was annotated before
     * this mode bound it (another mode, an older master), and the master writes it soon: try again later.
     */
    static int tag(PodAttachment pod) throws PlumbingException {
        String value = pod.podAnnotations().get(UnderlayNames.POD_VLAN);
        if (value == null) {
            throw new PlumbingException("pod " + pod.namespace() + "/" + pod.name() + ": no annotation "
                    + UnderlayNames.POD_VLAN + " (the master writes it with k8s.ovn.org/pod-networks once the "
                    + "underlay mode has bound the pod)", true);
        }
        try {
            return VlanAnnotation.parse(value).tag();
        } catch (IllegalArgumentException e) {
            throw new PlumbingException("pod " + pod.namespace() + "/" + pod.name() + ": annotation "
                    + UnderlayNames.POD_VLAN + ": " + e.getMessage() + ": \"" + value + "\"", false);
        }
    }

    @Override
    public String mode() {
        return UnderlayNames.MODE;
    }

    @Override
    public Readiness readiness() {
        Optional<String> problem = strategy.problem();
        return problem.isPresent() ? Readiness.notReady(problem.get()) : Readiness.READY;
    }

    @Override
    public PlumbedInterface plumb(PodAttachment pod, Duration timeout) throws PlumbingException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String who = describe(pod);
        Optional<String> problem = strategy.problem();
        if (problem.isPresent()) {
            throw new PlumbingException(who + ": not ready: " + problem.get(), true);
        }
        if (!NodeSettings.isInterfaceName(pod.ifName())) {
            throw new PlumbingException(who + ": \"" + pod.ifName() + "\" is not an interface name", false);
        }
        int tag = tag(pod);
        return strategy.plumb(pod, tag, deadline);
    }

    @Override
    public void unplumb(String sandboxId, String netns, String ifName) throws PlumbingException {
        strategy.unplumb(sandboxId, netns, ifName);
    }

    @Override
    public void check(PodAttachment pod) throws PlumbingException {
        String who = describe(pod);
        int tag = tag(pod);
        List<String> differences = new ArrayList<>();
        try {
            Optional<String> shown = links.podLink(pod.netns(), pod.ifName(), CHECK_TIMEOUT);
            if (shown.isEmpty()) {
                differences.add("interface " + pod.ifName() + " does not exist in " + pod.netns());
            } else {
                differences.addAll(podDifferences(pod, shown.get()));
            }
            differences.addAll(strategy.differences(pod, tag, shown.orElse("")));
        } catch (CommandException e) {
            differences.add("cannot read interface " + pod.ifName() + " in " + pod.netns() + ": " + e.getMessage());
        }
        if (differences.isEmpty()) {
            return;
        }
        throw new PlumbingException(who + ": " + String.join("; ", differences), false);
    }

    /** What {@code ip -d addr show dev} says that differs from the attachment: MAC, addresses, state. */
    static List<String> podDifferences(PodAttachment pod, String shown) {
        List<String> differences = new ArrayList<>();
        Set<String> addresses = new LinkedHashSet<>();
        for (String line : shown.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 2 && (fields[0].equals("inet") || fields[0].equals("inet6"))) {
                addresses.add(fields[1]);
            }
        }
        String mac = VlanStrategy.macOf(shown);
        if (!mac.equalsIgnoreCase(pod.mac())) {
            differences.add("interface " + pod.ifName() + " has MAC " + (mac.isEmpty() ? "(none)" : mac) + ", not "
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
        return strategy.collectGarbage(validSandboxes);
    }

    static String describe(PodAttachment pod) {
        return "pod " + pod.namespace() + "/" + pod.name() + " sandbox " + GuestBridgeStrategy.hostName(pod.sandboxId());
    }

    /** The time left before the deadline; none left is a retryable failure naming the step. */
    static Duration remaining(long deadline, String step) throws PlumbingException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new PlumbingException("the deadline passed before " + step, true);
        }
        return Duration.ofNanos(left);
    }

    static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
