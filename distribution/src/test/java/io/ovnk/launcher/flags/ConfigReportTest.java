package io.ovnk.launcher.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.launcher.LaunchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReportTest {

    @TempDir
    Path home;

    @Test
    void printConfigShowsEveryKeyOfFeaturesEtcAndFlagsWithItsOrigin() throws Exception {
        Path features = Files.createDirectories(home.resolve("features"));
        Files.writeString(features.resolve("master.json"), """
                {"bundles": [], "configurations": {
                  "io.ovnk.ipam": {"cluster.subnets": ["10.128.0.0/14/23"], "service.cidrs": ["172.16.1.0/24"]},
                  "io.ovnk.kube.leader": {"lease.name": "ovnkube-master"}}}""");
        Path etc = Files.createDirectories(home.resolve("etc"));
        Files.writeString(etc.resolve("io.ovnk.launcher.cfg"), "roles = master, node\nmode = overlay\n");
        Files.writeString(etc.resolve("io.ovnk.ipam.cfg"), "cluster.subnets = 10.200.0.0/16\n");
        Files.writeString(etc.resolve("io.ovnk.kube.cfg"), "token = from-etc\nqps = 20\n");
        Files.writeString(etc.resolve("io.ovnk.ovsdb.connection~nb.config"), "database=\"OVN_Northbound\"\nremotes=[\"tcp:a:1\"]\n");

        RunConfiguration run = RunConfiguration.build(Flags.parse(Arrays.asList(("-init-master=m1 -loglevel=5 "
                + "-cluster-subnet=11.11.0.0/16 -k8s-token=s3cr3t -nb-address=tcp://10.0.0.10:6641").split(" "))),
                LaunchSettings.defaults(), (pid, key) -> Optional.empty(), RunConfigurationTest.NO_HOST, home);
        String report = ConfigReport.render(run, ConfigSources.read(List.of(features.resolve("master.json")), etc),
                "log/ovnk.log");
        assertEquals("""
                this run
                  roles            master                           flag -init-master
                  mode             overlay                          etc/io.ovnk.launcher.cfg
                  features         platform, core, master, overlay  roles and mode
                  log level        DEBUG                            flag -loglevel
                  log file         log/ovnk.log                     conf/logback.xml

                io.ovnk.ipam
                  cluster.subnets  11.11.0.0/16                     flag -cluster-subnet (over etc/io.ovnk.ipam.cfg)
                  service.cidrs    172.16.1.0/24                    feature master

                io.ovnk.kube
                  qps              20                               etc/io.ovnk.kube.cfg
                  token            (secret)                         flag -k8s-token (over etc/io.ovnk.kube.cfg)

                io.ovnk.kube.leader
                  identity         m1                               flag -init-master
                  lease.name       ovnkube-master                   feature master

                io.ovnk.launcher
                  mode             overlay                          etc/io.ovnk.launcher.cfg
                  roles            master, node                     etc/io.ovnk.launcher.cfg (flag -init-master decides for this run)

                io.ovnk.ovsdb.connection~nb
                  database         OVN_Northbound                   flag -nb-address (over etc/io.ovnk.ovsdb.connection~nb.config)
                  remotes          tcp:10.0.0.10:6641               flag -nb-address (over etc/io.ovnk.ovsdb.connection~nb.config)
                """, report);
        assertFalse(report.contains("s3cr3t"));
        assertFalse(report.contains("from-etc"));
    }

    @Test
    void theLayerFileIsOwnerOnlyAndHoldsBothLayers() throws Exception {
        RunConfiguration run = RunConfigurationTest.build(RunConfigurationTest.SEED_NODE);
        Path file = RunLayerFile.write(home.resolve("data"), run);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String json = Files.readString(file);
        assertTrue(json.contains("\"io.ovnk.ipam\"") == false && json.contains("\"implied\""), json);
        assertTrue(json.replaceAll("\\s", "").contains("\"cluster.subnets\":{\"value\":[\"11.11.0.0/16\"],"
                + "\"origin\":\"flag-cluster-subnet\"}"), json);
        RunLayerFile.remove(home.resolve("data"));
        assertFalse(Files.exists(file));
    }
}
