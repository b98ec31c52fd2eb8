package io.ovnk.master.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.ovnk.ipam.Cidr;
import io.ovnk.kube.NodeSubnetsAnnotation;
import io.ovnk.kube.OvnAnnotations;
import io.ovnk.kube.PodNetwork;
import io.ovnk.kube.PodNetworksAnnotation;
import io.ovnk.ovnstack.junit.RequiresOvn;
import io.ovnk.ovsdb.Row;
import io.ovnk.ovsdb.TableMonitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The running master (real NB, mock API server) receives a seeded stream of Nodes, Pods and Services, hostile
 * annotations mixed with valid objects: the valid ones get their subnets, addresses and ports; each hostile one gets
 * a Warning Event naming it, the annotation and the field; and the Northbound holds exactly what the valid objects
 * need, nothing for the hostile ones. {@code -Dovnk.fuzz.seed} picks another stream.
 */
@RequiresOvn
class MasterHostileAnnotationsTest {

    static final String NS = "fuzz";
    static final String VALID_NETWORK = "{\"default\":{\"ip_addresses\":[\"10.128.0.5/23\"],\"mac_address\":"
            + "\"0a:58:0a:80:00:05\",\"gateway_ips\":[\"10.128.0.1\"],\"routes\":[{\"dest\":\"172.16.1.0/24\","
            + "\"nextHop\":\"10.128.0.1\"}]}}";
    static final List<String> NEAR_MISSES = List.of("10.1.2", "10.0.0.0/33", "::1/129", "300.1.1.1/24", "", "1.2.3.04/24",
            "0a:58:0a:80:00", "zz:zz:zz:zz:zz:zz", "fd00::5/64", "10.128.0.5/23\n", "x".repeat(100_000));

    MasterHarness harness;
    final List<AutoCloseable> informers = new ArrayList<>();
    /** Warning Events seen, by involved object name. */
    final Map<String, Event> events = new ConcurrentHashMap<>();
    final Map<String, CompletableFuture<Event>> awaited = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        harness = new MasterHarness();
        harness.nb.monitor(TableMonitor.of("Logical_Switch"), TableMonitor.of("Logical_Switch_Port"),
                TableMonitor.of("Load_Balancer")).get(30, TimeUnit.SECONDS);
        for (String namespace : List.of("default", NS)) {
            SharedIndexInformer<Event> informer = harness.kube.v1().events().inNamespace(namespace)
                    .inform(new ResourceEventHandler<Event>() {
                        @Override
                        public void onAdd(Event e) {
                            events.put(e.getInvolvedObject().getName(), e);
                            awaited.computeIfAbsent(e.getInvolvedObject().getName(), k -> new CompletableFuture<>())
                                    .complete(e);
                        }

                        @Override
                        public void onUpdate(Event before, Event after) {
                            onAdd(after);
                        }

                        @Override
                        public void onDelete(Event e, boolean unknown) {
                        }
                    });
            informers.add(informer);
        }
        harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("good").endMetadata().build()).create();
        harness.term(2).started();
    }

    @AfterEach
    void stop() {
        informers.forEach(informer -> {
            try {
                informer.close();
            } catch (Exception e) {
                // the harness goes next
            }
        });
        if (harness != null) {
            harness.close();
        }
    }

    private Event awaitEvent(String object) throws Exception {
        return awaited.computeIfAbsent(object, k -> new CompletableFuture<>()).get(60, TimeUnit.SECONDS);
    }

    /** A value the codec refuses, made from a valid one (a mutated field, a duplicated key, garbage). */
    static String hostile(SplittableRandom random, String valid, Function<String, ?> parser) {
        while (true) {
            String candidate = switch (random.nextInt(5)) {
                case 0 -> valid.substring(0, random.nextInt(valid.length()));
                case 1 -> "{\"default\":" + (random.nextBoolean() ? "42" : "[]") + "," + valid.substring(1);
                case 2 -> valid + " {}";
                default -> {
                    String near = NEAR_MISSES.get(random.nextInt(NEAR_MISSES.size()));
                    String[] targets = { "10.128.0.5/23", "0a:58:0a:80:00:05", "10.128.0.1", "172.16.1.0/24",
                        "10.128.4.0/23" };
                    String target = targets[random.nextInt(targets.length)];
                    yield valid.contains(target) ? valid.replace(target, near.replace("\n", "\\n")) : "{" + valid;
                }
            };
            try {
                parser.apply(candidate);
            } catch (IllegalArgumentException refused) {
                return candidate;
            }
        }
    }

    @Test
    void aStreamOfHostileAnnotationsNeitherStopsTheValidObjectsNorLeavesAnythingInTheNorthbound() throws Exception {
        long seed = Long.getLong("ovnk.fuzz.seed", 0x0E5C_2026_11L);
        System.out.println("fuzz master annotations: seed " + seed + " (-Dovnk.fuzz.seed)");
        SplittableRandom random = new SplittableRandom(seed);
        Set<String> validPods = new TreeSet<>();
        Set<String> hostilePods = new TreeSet<>();
        Set<String> validNodes = new TreeSet<>(Set.of("good"));
        Set<String> hostileNodes = new TreeSet<>();
        Set<String> tolerableNodes = new TreeSet<>(); // bad chassis id or MAC: networked, reported, not pinned
        Set<String> validServices = new TreeSet<>();
        Map<String, String> inputs = new HashMap<>();
        for (int i = 0; i < 48; i++) {
            int kind = random.nextInt(10);
            if (kind < 4) {
                String name = "ok-" + i;
                harness.kube.pods().inNamespace(NS).resource(pod(name, Map.of())).create();
                validPods.add(name);
            } else if (kind < 7) {
                String name = "bad-" + i;
                String annotation = random.nextBoolean() ? OvnAnnotations.POD_NETWORKS : OvnAnnotations.LEGACY_POD;
                String value = annotation.equals(OvnAnnotations.POD_NETWORKS)
                        ? hostile(random, VALID_NETWORK, PodNetworksAnnotation::parse)
                        : hostile(random, "{\"ip_address\":\"10.128.0.5/23\",\"mac_address\":\"0a:58:0a:80:00:05\","
                                + "\"gateway_ip\":\"10.128.0.1\"}", io.ovnk.kube.LegacyPodAnnotation::parse);
                inputs.put(name, annotation + "=" + value);
                harness.kube.pods().inNamespace(NS).resource(pod(name, Map.of(annotation, value))).create();
                hostilePods.add(name);
            } else if (kind == 7) {
                String name = "badnode-" + i;
                String value = hostile(random, "{\"default\":\"10.128.4.0/23\"}", NodeSubnetsAnnotation::parse);
                inputs.put(name, OvnAnnotations.NODE_SUBNETS + "=" + value);
                harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                        .addToAnnotations(OvnAnnotations.NODE_SUBNETS, value).endMetadata().build()).create();
                hostileNodes.add(name);
            } else if (kind == 8) {
                String name = "oddnode-" + i;
                boolean chassis = random.nextBoolean();
                String value = chassis ? "chassis id with spaces " + i : "0a:58:zz:" + i;
                String annotation = chassis ? OvnAnnotations.NODE_CHASSIS_ID : OvnAnnotations.NODE_MGMT_PORT_MAC;
                inputs.put(name, annotation + "=" + value);
                harness.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                        .addToAnnotations(annotation, value).endMetadata().build()).create();
                tolerableNodes.add(name);
            } else {
                // Services carry no annotation the master reads: random ones must change nothing
                String name = "svc-" + i;
                harness.kube.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata()
                        .withNamespace(NS).withName(name).addToAnnotations("k8s.ovn.org/" + name,
                                hostile(random, VALID_NETWORK, PodNetworksAnnotation::parse))
                        .addToAnnotations(OvnAnnotations.POD_NETWORKS, "{")
                        .endMetadata().withNewSpec().withClusterIP("172.16.1." + (100 + i)).addNewPort()
                        .withProtocol("TCP").withPort(80).endPort().endSpec().build()).create();
                validServices.add(name);
            }
        }
        System.out.println("fuzz master annotations: " + validPods.size() + " valid and " + hostilePods.size()
                + " hostile pods, " + hostileNodes.size() + " hostile and " + tolerableNodes.size()
                + " oddly annotated nodes, " + validServices.size() + " services");

        // every hostile object is reported, naming it, its annotation and the field
        for (String name : hostilePods) {
            Event event = awaitEvent(name);
            String annotation = inputs.get(name).substring(0, inputs.get(name).indexOf('='));
            assertEquals("InvalidAnnotation", event.getReason(), inputs.get(name));
            assertTrue(event.getMessage().startsWith("pod " + NS + "/" + name + ": annotation " + annotation + ": "),
                    event.getMessage() + " for " + inputs.get(name));
            assertTrue(event.getMessage().length() <= 1024, "a readable Event: " + event.getMessage().length());
        }
        for (String name : hostileNodes) {
            Event event = awaitEvent(name);
            assertTrue(event.getMessage().startsWith("node " + name + ": annotation " + OvnAnnotations.NODE_SUBNETS
                    + ": "), event.getMessage() + " for " + inputs.get(name));
        }
        for (String name : tolerableNodes) {
            Event event = awaitEvent(name);
            assertTrue(event.getMessage().startsWith("node " + name + ": annotation "), event.getMessage());
        }

        // every valid object is served: pods get addresses and ports, nodes switches, Services load balancers
        for (String name : validPods) {
            harness.nb.cache().await("Logical_Switch_Port", row -> (NS + "_" + name).equals(row.string("name")),
                    Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
        }
        Set<String> wantedSwitches = new HashSet<>(validNodes);
        wantedSwitches.addAll(tolerableNodes);
        for (String name : wantedSwitches) {
            harness.nb.cache().await("Logical_Switch", row -> name.equals(row.string("name")), Duration.ofSeconds(60))
                    .get(90, TimeUnit.SECONDS);
        }
        for (String name : validServices) {
            harness.nb.cache().await("Load_Balancer", row -> ("Service_" + NS + "/" + name + "_TCP_cluster")
                    .equals(row.string("name")), Duration.ofSeconds(60)).get(90, TimeUnit.SECONDS);
        }

        // the Northbound holds exactly what the valid objects need
        Set<String> podPorts = harness.nb.cache().table("Logical_Switch_Port").rows().stream()
                .map(row -> row.string("name")).filter(name -> name.startsWith(NS + "_"))
                .map(name -> name.substring(NS.length() + 1)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(validPods, podPorts, "ports for the valid pods, none for the hostile ones");
        Set<String> nodeSwitches = harness.nb.cache().table("Logical_Switch").rows().stream()
                .map(row -> row.string("name")).filter(name -> wantedSwitches.contains(name)
                        || hostileNodes.contains(name)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(wantedSwitches), nodeSwitches, "switches for the usable nodes only");
        Set<String> balancers = harness.nb.cache().table("Load_Balancer").rows().stream()
                .map(row -> row.string("name")).filter(name -> name.startsWith("Service_" + NS + "/"))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> wantedBalancers = validServices.stream().map(name -> "Service_" + NS + "/" + name + "_TCP_cluster")
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> clusterBalancers = balancers.stream().filter(n -> n.endsWith("_TCP_cluster"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(wantedBalancers, clusterBalancers, "load balancers for the Services");

        // nothing corrupted: each valid pod's annotation and port agree, inside node good's subnet, no address twice
        Cidr subnet = NodeSubnetsAnnotation.parse(harness.kube.nodes().withName("good").get().getMetadata()
                .getAnnotations().get(OvnAnnotations.NODE_SUBNETS)).defaultNetwork().get(0);
        Set<String> addresses = new HashSet<>();
        for (String name : validPods) {
            Pod pod = harness.kube.pods().inNamespace(NS).withName(name).get();
            PodNetwork network = PodNetworksAnnotation.parse(pod.getMetadata().getAnnotations()
                    .get(OvnAnnotations.POD_NETWORKS)).defaultNetwork();
            Cidr address = network.ipAddresses().get(0);
            assertTrue(subnet.contains(address.address()), name + ": " + address + " in " + subnet);
            assertTrue(addresses.add(address.address().toString()), name + ": " + address + " given twice");
            Row port = harness.nb.cache().table("Logical_Switch_Port").rows().stream()
                    .filter(row -> (NS + "_" + name).equals(row.string("name"))).findFirst().orElseThrow();
            Set<String> portAddresses = port.set("addresses");
            assertEquals(Set.of(network.macAddress() + " " + address.address()), portAddresses, name);
        }
        for (String name : hostilePods) {
            Pod pod = harness.kube.pods().inNamespace(NS).withName(name).get();
            String annotation = inputs.get(name).substring(0, inputs.get(name).indexOf('='));
            assertEquals(inputs.get(name).substring(annotation.length() + 1),
                    pod.getMetadata().getAnnotations().get(annotation), name + ": the hostile value is left as it was");
        }
    }

    private static Pod pod(String name, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withNamespace(NS).withName(name).withAnnotations(annotations)
                .endMetadata().withNewSpec().withNodeName("good").endSpec().build();
    }
}
