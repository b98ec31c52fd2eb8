package io.ovnk.kube;

import io.ovnk.fuzz.Fuzz;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.ovnk.ipam.MacAddress;
import io.ovnk.kube.internal.StrictJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Hostile values of every annotation ovnk reads, on the objects that carry them: each either parses (and then
 * writes back to what it read) or fails with an {@link AnnotationException} naming the object, the annotation and
 * the field, of a readable length; nothing else is thrown. Seeded: see {@link Fuzz}.
 */
class AnnotationFuzzTest {

    /** An annotation, its parser and a few valid values the mutations start from. */
    record Codec(String annotation, boolean onPod, Function<String, ?> parser, Function<Object, String> writer,
            List<String> valid) {
    }

    static final List<Codec> CODECS = List.of(
            new Codec(OvnAnnotations.POD_NETWORKS, true, PodNetworksAnnotation::parse,
                    a -> ((PodNetworksAnnotation) a).toJson(), List.of(
                    "{\"default\":{\"ip_addresses\":[\"10.128.0.5/23\"],\"mac_address\":\"0a:58:0a:80:00:05\","
                            + "\"gateway_ips\":[\"10.128.0.1\"],\"routes\":[{\"dest\":\"172.16.1.0/24\",\"nextHop\":"
                            + "\"10.128.0.1\"}],\"ip_address\":\"10.128.0.5/23\",\"gateway_ip\":\"10.128.0.1\","
                            + "\"role\":\"primary\"}}",
                    "{\"default\":{\"ip_addresses\":[\"10.128.0.5/23\",\"fd00:10:128::5/64\"],\"mac_address\":"
                            + "\"0a:58:0a:80:00:05\",\"gateway_ips\":[\"10.128.0.1\",\"fd00:10:128::1\"]}}")),
            new Codec(OvnAnnotations.LEGACY_POD, true, LegacyPodAnnotation::parse,
                    a -> ((LegacyPodAnnotation) a).toJson(), List.of(
                    "{\"ip_address\":\"10.128.0.5/23\",\"mac_address\":\"0a:58:0a:80:00:05\",\"gateway_ip\":\"10.128.0.1\"}")),
            new Codec(OvnAnnotations.NODE_SUBNETS, false, NodeSubnetsAnnotation::parse,
                    a -> ((NodeSubnetsAnnotation) a).toJson(), List.of("{\"default\":\"10.128.4.0/23\"}",
                    "{\"default\":[\"10.128.4.0/23\",\"fd00:10:244:3::/64\"]}")),
            new Codec(OvnAnnotations.L3_GATEWAY_CONFIG, false, L3GatewayConfig::parse,
                    a -> ((L3GatewayConfig) a).toJson(), List.of(
                    "{\"default\":{\"mode\":\"shared\",\"interface-id\":\"br-ex_node1\",\"mac-address\":"
                            + "\"0a:58:ac:1e:00:02\",\"ip-addresses\":[\"172.30.0.2/24\"],\"ip-address\":\"172.30.0.2/24\","
                            + "\"next-hops\":[\"172.30.0.1\"],\"next-hop\":\"172.30.0.1\",\"node-port-enable\":\"true\","
                            + "\"vlan-id\":\"0\"}}",
                    "{\"default\":{\"mode\":\"disabled\"}}")),
            new Codec(OvnAnnotations.NODE_CHASSIS_ID, false, OvnAnnotations::parseChassisId, a -> (String) a,
                    List.of("\"4a5b6c7d-0000-1111-2222-333344445555\"")),
            new Codec(OvnAnnotations.NODE_MGMT_PORT_MAC, false, MacAddress::parse, Object::toString,
                    List.of("\"0a:58:0a:80:04:02\"")));

    /** Values that look almost right, the kind a hand edit or a broken writer produces. */
    static final List<String> NEAR_MISSES = List.of("10.1.2", "10.0.0.0/33", "::1/129", "1.2.3.4/-1", "300.1.1.1/24",
            "1.2.3.4/24/5", "", " ", "fe80::1%eth0/64", "1.2.3.04/24", "0x1.2.3.4/8", "1.2.3.4/", "/24", ":::/64",
            "1::2::3/64", "10.128.0.5/23\n", "fd00::5/64", "2001:db8::1", "10.0.0.1", "::ffff:10.0.0.1/96",
            "0a:58:0a:80:00", "zz:zz:zz:zz:zz:zz", "0a-58-0a-80-00-05", "0A:58:0A:80:00:05:00", "ff:ff:ff:ff:ff:ff",
            "shared", "local", "disabled", "SHARED", "true", "false", "-1", "4095", "99999999999999999999",
            "\u0000", "\u202e10.0.0.1", "\uD800", "10.128.4.1/23");

    @Test
    void everyAnnotationValueEitherRoundTripsOrFailsNamingObjectAnnotationAndField() {
        int[] outcomes = new int[2];
        int cases = Fuzz.run("annotations", 2000, fuzzCase -> {
            SplittableRandom random = fuzzCase.random;
            Codec codec = CODECS.get(random.nextInt(CODECS.size()));
            String valid = codec.valid().get(random.nextInt(codec.valid().size()));
            Mutation mutation = mutate(random, valid);
            fuzzCase.input(codec.annotation() + " = " + mutation.text());
            boolean parsed = check(codec, mutation);
            outcomes[parsed ? 0 : 1]++;
        });
        System.out.println("fuzz annotations: " + cases + " values, " + outcomes[0] + " parsed and round-tripped, "
                + outcomes[1] + " refused naming the field");
        assertTrue(outcomes[1] > cases / 2, "most hostile values are refused");
    }

    /** A hostile value and, when it changed one field of a valid value, the path of that field. */
    record Mutation(String text, List<String> path, String mustName, boolean mustFail) {
        Mutation(String text, List<String> path, String mustName) {
            this(text, path, mustName, mustName != null);
        }
    }

    static Mutation mutate(SplittableRandom random, String valid) {
        switch (random.nextInt(8)) {
            case 0:
                return new Mutation(new String(Fuzz.randomBytes(random, 300), java.nio.charset.StandardCharsets.ISO_8859_1),
                        List.of(), null);
            case 1:
                return new Mutation(valid.substring(0, random.nextInt(valid.length())), List.of(), null);
            case 2: {
                // the first key written twice, with another value
                JsonNode tree = StrictJson.mapper().readTree(valid);
                if (!tree.isObject()) {
                    return new Mutation(valid + " " + valid, List.of(), null);
                }
                String first = tree.propertyNames().iterator().next();
                String text = "{" + Fuzz.quote(first) + ":" + Fuzz.randomJsonValue(random) + "," + valid.substring(1);
                return new Mutation(text, List.of(), first);
            }
            case 3:
                return new Mutation(valid + List.of(" x", "{}", "]", "\"", ",1").get(random.nextInt(5)), List.of(), null,
                        true);
            case 4:
                return new Mutation("[".repeat(5000) + "]".repeat(5000), List.of(), null);
            default: {
                JsonNode tree = StrictJson.mapper().readTree(valid);
                List<List<String>> paths = new ArrayList<>();
                collect(tree, new ArrayList<>(), paths);
                List<String> path = paths.get(random.nextInt(paths.size()));
                JsonNode hostile = hostileValue(random);
                JsonNode mutated = path.isEmpty() ? hostile : replace(tree, path, hostile);
                return new Mutation(mutated.toString(), path, null);
            }
        }
    }

    static JsonNode hostileValue(SplittableRandom random) {
        return switch (random.nextInt(5)) {
            case 0 -> StrictJson.mapper().readTree(Fuzz.randomJsonValue(random));
            case 1 -> StrictJson.mapper().getNodeFactory().stringNode("1".repeat(random.nextInt(1_000_000)));
            case 2 -> StrictJson.mapper().getNodeFactory().stringNode(Fuzz.randomString(random, 30));
            default -> StrictJson.mapper().getNodeFactory().stringNode(NEAR_MISSES.get(random.nextInt(NEAR_MISSES.size())));
        };
    }

    private static void collect(JsonNode node, List<String> at, List<List<String>> paths) {
        paths.add(List.copyOf(at));
        if (node.isObject()) {
            for (String name : node.propertyNames()) {
                at.add(name);
                collect(node.get(name), at, paths);
                at.remove(at.size() - 1);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                at.add("[" + i + "]");
                collect(node.get(i), at, paths);
                at.remove(at.size() - 1);
            }
        }
    }

    private static JsonNode replace(JsonNode tree, List<String> path, JsonNode value) {
        JsonNode copy = tree.deepCopy();
        JsonNode parent = copy;
        for (String step : path.subList(0, path.size() - 1)) {
            parent = step.startsWith("[") ? parent.get(Integer.parseInt(step.substring(1, step.length() - 1)))
                    : parent.get(step);
        }
        String last = path.get(path.size() - 1);
        if (last.startsWith("[")) {
            ((ArrayNode) parent).set(Integer.parseInt(last.substring(1, last.length() - 1)), value);
        } else {
            ((ObjectNode) parent).set(last, value);
        }
        return copy;
    }

    /** True if the value parsed (and round-tripped), false if it was refused as it should be. */
    static boolean check(Codec codec, Mutation mutation) {
        // the chassis id and MAC annotations are plain strings, the others JSON
        String value = mutation.text();
        if (!codec.valid().get(0).startsWith("{")) {
            JsonNode node = tryJson(value);
            value = node != null && node.isString() ? node.asString() : value;
        }
        HasMetadata object = codec.onPod()
                ? new PodBuilder().withNewMetadata().withNamespace("shop").withName("web-1")
                        .withAnnotations(Map.of(codec.annotation(), value)).endMetadata().build()
                : new NodeBuilder().withNewMetadata().withName("worker-1")
                        .withAnnotations(Map.of(codec.annotation(), value)).endMetadata().build();
        String prefix = (codec.onPod() ? "pod shop/web-1" : "node worker-1") + ": annotation " + codec.annotation() + ": ";
        Optional<?> parsed;
        try {
            parsed = OvnAnnotations.read(object, codec.annotation(), codec.parser());
        } catch (AnnotationException e) {
            String message = e.getMessage();
            assertTrue(message.startsWith(prefix) && message.length() > prefix.length(), message);
            assertTrue(message.length() <= 1024, "a readable message, not " + message.length() + " characters");
            assertEquals(value, e.value(), "the exception keeps the whole value to tell a change");
            String problem = message.substring(prefix.length());
            if (mutation.mustName() != null) {
                assertTrue(problem.contains(mutation.mustName()), "names the duplicated key: " + problem);
            }
            if (mutation.path().size() >= 2) {
                // a field inside a network (or a network's list): the message starts at the network's key
                assertTrue(problem.startsWith(mutation.path().get(0)), "names the field " + mutation.path() + ": "
                        + problem);
            }
            return false;
        }
        if (mutation.mustFail() && codec.valid().get(0).startsWith("{")) {
            throw new AssertionError("a duplicated key or trailing garbage was accepted: " + parsed.orElseThrow());
        }
        Object annotation = parsed.orElseThrow();
        String written = codec.writer().apply(annotation);
        assertEquals(annotation, codec.parser().apply(written), "what was read is written back the same");
        return true;
    }

    private static JsonNode tryJson(String text) {
        try {
            return StrictJson.mapper().readTree(text);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
