package io.ovnk.itests.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's ovnkube command lines given to the real bin/ovnkube. */
class FlagsIT {

    static final Duration START = Duration.ofSeconds(60);
    static final Duration LIVE = Duration.ofSeconds(10);

    /** The seed's node command line, unchanged but for the addresses. */
    static final List<String> SEED_NODE = List.of(("-k8s-kubeconfig kubeconfig.yaml -loglevel=4 -logfile=/var/log/ovnkube.log "
            + "-k8s-apiserver=http://10.0.0.10:8080 -init-node=node-1 -nodeport -k8s-token=s3cr3t-token -init-gateways "
            + "-service-cluster-ip-range=172.16.1.0/24 -cluster-subnet=11.11.0.0/16 -nb-address=tcp://10.0.0.10:6641 "
            + "-sb-address=tcp://10.0.0.10:6642").split(" "));

    @TempDir
    Path dir;

    @Test
    void theSeedsNodeCommandLinePrintsItsMergedConfigurationAndStartsNothing() throws Exception {
        Ovnkube ovnkube = new Ovnkube(dir);
        List<String> etcBefore = listing(ovnkube.home().resolve("etc"));
        Map.Entry<Integer, String> result = ovnkube.run(with(SEED_NODE, "--print-config"));
        String out = result.getValue();
        assertEquals(0, result.getKey(), out);
        assertLine(out, "roles", "node", "flag -init-node");
        assertLine(out, "features", "platform, core, node, overlay, gateway", "roles and mode, flag -init-gateways");
        assertLine(out, "node.port.enable", "true", "flag -nodeport");
        assertLine(out, "log file", "/var/log/ovnkube.log", "flag -logfile");
        assertLine(out, "node.name", "node-1", "flag -init-node");
        assertLine(out, "cluster.subnets", "11.11.0.0/16", "flag -cluster-subnet");
        assertLine(out, "sb.remotes", "tcp:10.0.0.10:6642", "flag -sb-address");
        assertLine(out, "remotes", "unix:/var/run/openvswitch/db.sock", "flag -init-node");
        assertLine(out, "token", "\\(secret\\)", "flag -k8s-token");
        assertLine(out, "api.server", "http://10.0.0.10:8080", "flag -k8s-apiserver");
        // the Ovnkube helper's etc/io.ovnk.cni.cfg is part of the merge
        assertLine(out, "socket.path", ".*cni.sock", "etc/io.ovnk.cni.cfg");
        assertTrue(out.contains("-nb-address \"tcp://10.0.0.10:6641\": the node role does not use the OVN Northbound"), out);
        assertFalse(out.contains("s3cr3t-token"), "the token is never printed");
        // nothing started, nothing written
        assertFalse(Files.exists(ovnkube.home().resolve("data/flags.json")));
        assertFalse(Files.exists(ovnkube.home().resolve("data/cache")));
        assertEquals(etcBefore, listing(ovnkube.home().resolve("etc")));
    }

    @Test
    void aBadFlagExitsWithStatusTwoNamingItAndStartsNothing() throws Exception {
        Ovnkube ovnkube = new Ovnkube(dir);
        List<String> typo = new ArrayList<>(SEED_NODE);
        typo.set(typo.indexOf("-init-node=node-1"), "-init-nod=node-1");
        Map.Entry<Integer, String> unknown = ovnkube.run(typo.toArray(String[]::new));
        assertEquals(2, unknown.getKey(), unknown.getValue());
        assertEquals("ovnkube: unknown flag -init-nod (did you mean -init-node?); see --help", unknown.getValue().strip());

        Map.Entry<Integer, String> malformed = ovnkube.run(with(SEED_NODE, "-cluster-subnet=11.11.0.0/33"));
        assertEquals(2, malformed.getKey(), malformed.getValue());
        assertTrue(malformed.getValue().contains("given twice with different values"), malformed.getValue());

        List<String> mixed = new ArrayList<>(SEED_NODE);
        mixed.set(mixed.indexOf("-sb-address=tcp://10.0.0.10:6642"), "-sb-address=tcp://10.0.0.10:6642,ssl:10.0.0.11:6642");
        Map.Entry<Integer, String> contradiction = ovnkube.run(mixed.toArray(String[]::new));
        assertEquals(2, contradiction.getKey(), contradiction.getValue());
        assertEquals("ovnkube: -sb-address: \"tcp://10.0.0.10:6642,ssl:10.0.0.11:6642\" mixes tcp and ssl addresses; "
                + "all addresses of a database are of one kind", contradiction.getValue().strip());
        assertFalse(Files.exists(ovnkube.home().resolve("data/cache")), "nothing started");

        Map.Entry<Integer, String> help = ovnkube.run("--help");
        assertEquals(0, help.getKey());
        assertTrue(help.getValue().contains("-init-node NODE\n        default "), help.getValue());
    }

    @Test
    void flagsConfigureTheRunOverEtcWithoutWritingEtcAndTheirFileGoesWithTheRun() throws Exception {
        try (Ovnkube ovnkube = new Ovnkube(dir)) {
            Path etc = ovnkube.home().resolve("etc");
            Files.writeString(etc.resolve("io.ovnk.ipam.cfg"), "cluster.subnets = 10.200.0.0/16\n");
            List<String> etcBefore = listing(etc);
            Path logFile = dir.resolve("logs/ovnkube.log");
            ovnkube.start("-init-master=master-1", "-net-controller", "-k8s-apiserver=http://127.0.0.1:9",
                    "-cluster-subnet=11.11.0.0/16", "-loglevel=5", "-logfile=" + logFile);
            ovnkube.await("ovnkube .*: roles master, mode overlay, features platform,core,master,overlay, \\d+ bundles; "
                    + "log: " + logFile, START);
            ovnkube.awaitAnywhere("etc/io.ovnk.ipam.cfg: applied to io.ovnk.ipam \\(1 key\\); for this run flag "
                    + "-cluster-subnet wins over its key 'cluster.subnets'", START);
            ovnkube.awaitAnywhere("feature master \\+ flag -init-master: configuration applied to io.ovnk.kube.leader", LIVE);
            ovnkube.awaitAnywhere("io.ovnk.launcher: this run's roles master and mode overlay come from the flags "
                    + "-init-master -net-controller", LIVE);
            Path layer = ovnkube.home().resolve("data/flags.json");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(layer)));
            assertEquals(etcBefore, listing(etc));
            assertEquals("cluster.subnets = 10.200.0.0/16\n", Files.readString(etc.resolve("io.ovnk.ipam.cfg")));
            ovnkube.await("ovnk started in", START);
            // -loglevel=5: the io.ovnk loggers write DEBUG into the -logfile (an unchanged file is a DEBUG line)
            Path runtimeCfg = etc.resolve("io.ovnk.runtime.cfg");
            Files.writeString(runtimeCfg, Files.readString(runtimeCfg));
            LogFile.await(logFile, "DEBUG [ovnk-etc] i.o.r.i.config.EtcConfiguration - etc/io.ovnk.runtime.cfg: io.ovnk.runtime "
                    + "unchanged", LIVE);

            ovnkube.sigterm();
            ovnkube.await("ovnkube: stopped in \\d+ ms", LIVE);
            assertEquals(143, ovnkube.waitForExit(LIVE));
            assertFalse(Files.exists(layer), "the flags' file goes with the run");
            assertFalse(Files.exists(ovnkube.home().resolve("log/ovnk.log")), "-logfile replaces log/ovnk.log");
        }
    }

    private static String[] with(List<String> arguments, String... more) {
        List<String> all = new ArrayList<>(arguments);
        all.addAll(Arrays.asList(more));
        return all.toArray(String[]::new);
    }

    private static void assertLine(String out, String key, String value, String origin) {
        assertTrue(out.lines().anyMatch(l -> l.matches("  " + key + " +" + value + " +" + java.util.regex.Pattern.quote(origin))),
                "a line '" + key + "  " + value + "  " + origin + "' in:\n" + out);
    }

    private static List<String> listing(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
