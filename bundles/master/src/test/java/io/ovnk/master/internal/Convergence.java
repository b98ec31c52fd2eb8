package io.ovnk.master.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.ipam.SubnetUsage;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.PodNetworksAnnotation;
import io.ovnk.ovsdb.Row;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a master that has recovered from a fault leaves behind, checked against the API, the Northbound (and the
 * Southbound where there is one) and the master's allocator: every live pod has exactly one logical port carrying
 * its annotated address, addresses are unique, no port or address of a deleted pod remains.
 */
final class Convergence {

    private final MasterHarness harness;

    Convergence(MasterHarness harness) {
        this.harness = harness;
    }

    /** Waits (on the observer's NB cache, then on each pod) until exactly the live pods have ports and annotations. */
    void await(Set<String> live, Duration timeout) throws Exception {
        try {
            awaitTable(harness.nb, "Logical_Switch_Port", () -> podPortOwners().equals(live), timeout);
        } catch (java.util.concurrent.TimeoutException e) {
            Set<String> owners = podPortOwners();
            Set<String> missing = new TreeSet<>(live);
            missing.removeAll(owners);
            Set<String> stale = new TreeSet<>(owners);
            stale.removeAll(live);
            throw new AssertionError("no convergence within " + timeout + ": live pods without a port " + missing
                    + ", ports of no live pod " + stale, e);
        }
        for (String key : live) {
            String[] pod = key.split("/");
            harness.kube.pods().inNamespace(pod[0]).withName(pod[1]).waitUntilCondition(p -> p != null
                    && p.getMetadata().getAnnotations() != null
                    && p.getMetadata().getAnnotations().containsKey(OvnAnnotations.POD_NETWORKS),
                    timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (harness.sb != null) {
            Set<String> ports = live.stream().map(k -> k.replace('/', '_')).collect(Collectors.toSet());
            // ovn-northd mirrors every logical switch port into a Port_Binding; pod ports are the ns_name ones
            awaitTable(harness.sb, "Port_Binding", () -> podBindings().equals(ports), timeout);
        }
    }

    /**
     * Waits until a condition on a whole table holds, checked after every change of the table, deletions included
     * (the cache's {@code await} looks for a row that matches, so a deletion never wakes it).
     */
    static void awaitTable(io.ovnk.ovsdb.OvsdbClient client, String table, java.util.function.BooleanSupplier condition,
            Duration timeout) throws Exception {
        java.util.concurrent.CompletableFuture<Void> holds = new java.util.concurrent.CompletableFuture<>();
        try (AutoCloseable listening = client.cache().listen(changes -> {
            if (condition.getAsBoolean()) {
                holds.complete(null);
            }
        }, table)) {
            if (condition.getAsBoolean()) {
                holds.complete(null);
            }
            holds.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void verify(MasterHarness.Term term, Set<String> live) {
        Map<String, String> annotated = new HashMap<>();
        for (Pod pod : harness.kube.pods().inAnyNamespace().list().getItems()) {
            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            if (annotations != null && annotations.containsKey(OvnAnnotations.POD_NETWORKS)) {
                annotated.put(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(),
                        annotations.get(OvnAnnotations.POD_NETWORKS));
            }
        }
        assertEquals(new TreeSet<>(live), new TreeSet<>(annotated.keySet()), "exactly the live pods are annotated");
        Map<String, String> ipOf = new HashMap<>();
        Set<String> addresses = new HashSet<>();
        annotated.forEach((pod, value) -> {
            String ip = PodNetworksAnnotation.parse(value).defaultNetwork().ipAddresses().get(0).address().toString();
            assertTrue(addresses.add(ip), pod + " has " + ip + ", which another pod has too");
            ipOf.put(pod, ip);
        });
        List<Row> ports = podPorts();
        assertEquals(live.size(), ports.size(), "one logical port per live pod, no stale or duplicate port");
        assertEquals(new TreeSet<>(live), new TreeSet<>(podPortOwners()), "the ports belong to exactly the live pods");
        for (Row port : ports) {
            String owner = OvnNames.owner(port);
            assertEquals(owner.replace('/', '_'), port.string("name"), "port named after its pod");
            Set<String> mac = port.set("addresses");
            assertEquals(1, mac.size(), owner + ": one address entry");
            assertTrue(mac.iterator().next().endsWith(" " + ipOf.get(owner)),
                    owner + ": port " + mac + " and annotation " + ipOf.get(owner) + " agree");
        }
        // a handler still working through a stale copy of a pod holds an address it is about to give back (the
        // pod turned out annotated already): count once the master's queues have nothing in hand
        awaitIdle(term);
        int allocated = term.ipam.usage().stream().mapToInt(SubnetUsage::allocated).sum();
        assertEquals(live.size(), allocated, "the allocator holds exactly the live pods' addresses: none leaked");
        if (harness.sb != null) {
            assertEquals(live.stream().map(k -> k.replace('/', '_')).collect(Collectors.toSet()), podBindings(),
                    "the Southbound has a binding for exactly the live pods' ports");
        }
    }

    private List<Row> podPorts() {
        return harness.nb.cache().table("Logical_Switch_Port").rows().stream()
                .filter(row -> OvnNames.ownedBy(row, OvnNames.TYPE_POD)).toList();
    }

    private Set<String> podPortOwners() {
        return podPorts().stream().map(OvnNames::owner).collect(Collectors.toSet());
    }

    /** Port_Binding rows of pod ports: ns_name, where the node's own ports are stor-, k8s-, rtos-, jtor-, ... */
    private Set<String> podBindings() {
        return harness.sb.cache().table("Port_Binding").rows().stream().map(row -> row.string("logical_port"))
                .filter(name -> name.startsWith("ns") || name.startsWith("faults_")).collect(Collectors.toSet());
    }

    /** Until no queue of the term has anything waiting, in hand or backing off (queue statistics have no events). */
    private static void awaitIdle(MasterHarness.Term term) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<io.ovnk.kube.QueueStats> busy = busy(term);
        while (!busy.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the master's queues did not go idle within 60 s: " + busy);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            busy = busy(term);
        }
    }

    private static List<io.ovnk.kube.QueueStats> busy(MasterHarness.Term term) {
        return term.hub.queues().stream().filter(q -> q.depth() > 0 || q.inFlight() > 0 || q.retrying() > 0).toList();
    }
}
