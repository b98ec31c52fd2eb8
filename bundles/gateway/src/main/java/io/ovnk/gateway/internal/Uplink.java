package io.ovnk.gateway.internal;

import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.MacAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The uplink as the kernel sees it, read with {@code ip -j} (in the host's named namespace when one is
 * configured): does it exist, its MAC, its first IPv4 address, and the default route's gateway.
 */
final class Uplink {

    /** What the kernel says about the uplink. */
    record Facts(MacAddress mac, Optional<Cidr> address, Optional<IpAddress> defaultGateway) {
    }

    /** The uplink is missing or unusable; the message names it. */
    static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        Problem(String message) {
            super(message);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String netns;
    private final Duration timeout;

    Uplink(String netns, Duration timeout) {
        this.netns = netns;
        this.timeout = timeout;
    }

    Facts read(String name) throws Problem {
        JsonNode links = json(ip("-j", "addr", "show", "dev", name), name);
        if (!links.isArray() || links.isEmpty()) {
            throw new Problem("uplink " + name + ": no such interface" + where());
        }
        JsonNode link = links.get(0);
        String mac = link.path("address").asString("");
        if (mac.isEmpty() || !"ether".equals(link.path("link_type").asString(""))) {
            throw new Problem("uplink " + name + ": not an Ethernet interface (link type " + link.path("link_type").asString("?")
                    + ")" + where());
        }
        Optional<Cidr> address = Optional.empty();
        for (JsonNode info : link.path("addr_info")) {
            if ("inet".equals(info.path("family").asString(""))) {
                address = Optional.of(Cidr.parse(info.path("local").asString() + "/" + info.path("prefixlen").asInt()));
                break;
            }
        }
        Optional<IpAddress> gateway = Optional.empty();
        for (JsonNode route : json(ip("-j", "-4", "route", "show", "default"), name)) {
            if (route.has("gateway")) {
                gateway = Optional.of(IpAddress.parse(route.path("gateway").asString()));
                break;
            }
        }
        return new Facts(MacAddress.parse(mac), address, gateway);
    }

    private String where() {
        return netns.isEmpty() ? "" : " in network namespace " + netns;
    }

    private JsonNode json(String text, String name) throws Problem {
        try {
            return JSON.readTree(text.isBlank() ? "[]" : text);
        } catch (RuntimeException e) {
            throw new Problem("uplink " + name + ": cannot read what ip printed: " + e.getMessage());
        }
    }

    private String ip(String... arguments) throws Problem {
        List<String> command = new ArrayList<>(List.of("ip"));
        if (!netns.isEmpty()) {
            command.addAll(List.of("-n", netns));
        }
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            byte[] out;
            byte[] err;
            try (InputStream stdout = process.getInputStream(); InputStream stderr = process.getErrorStream()) {
                out = stdout.readAllBytes(); // ip prints little: reading both in turn cannot block on a full pipe
                err = stderr.readAllBytes();
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new Problem(String.join(" ", command) + ": no answer within " + timeout.toMillis() + " ms");
            }
            String error = new String(err, StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                throw new Problem(error.contains("does not exist") ? "uplink " + arguments[arguments.length - 1]
                        + ": no such interface" + where() : String.join(" ", command) + ": " + error);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Problem(String.join(" ", command) + ": cannot run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Problem("interrupted while reading uplink facts");
        }
    }
}
