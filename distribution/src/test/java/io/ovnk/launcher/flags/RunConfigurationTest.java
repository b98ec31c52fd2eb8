package io.ovnk.launcher.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.launcher.LaunchException;
import io.ovnk.launcher.LaunchSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RunConfigurationTest {

    static final Path CWD = Path.of("/home/op");

    /** A host whose route to the API server 10.0.0.10 leaves from 10.0.0.21, default route on eth0. */
    static final RunConfiguration.Host HOST = new RunConfiguration.Host() {
        @Override
        public Optional<String> addressTowards(String host) {
            return host.equals("10.0.0.10") ? Optional.of("10.0.0.21") : Optional.empty();
        }

        @Override
        public Optional<String> defaultRouteInterface() {
            return Optional.of("eth0");
        }
    };

    /** A host without routes. */
    static final RunConfiguration.Host NO_HOST = new RunConfiguration.Host() {
        @Override
        public Optional<String> addressTowards(String host) {
            return Optional.empty();
        }

        @Override
        public Optional<String> defaultRouteInterface() {
            return Optional.empty();
        }
    };

    /** The seed's master command line, unchanged (its README's values). */
    static final String SEED_MASTER = "-k8s-kubeconfig kubeconfig.yaml -net-controller -loglevel=4 "
            + "-k8s-apiserver=http://10.0.0.10:8080 -logfile=/var/log/ovnkube.log -init-master=master-1 "
            + "-cluster-subnet=11.11.0.0/16 -service-cluster-ip-range=172.16.1.0/24 -nodeport "
            + "-nb-address=tcp://10.0.0.10:6641 -sb-address=tcp://10.0.0.10:6642";

    /** The seed's node command line, unchanged. */
    static final String SEED_NODE = "-k8s-kubeconfig kubeconfig.yaml -loglevel=4 -logfile=/var/log/ovnkube.log "
            + "-k8s-apiserver=http://10.0.0.10:8080 -init-node=node-1 -nodeport -k8s-token=s3cr3t-token "
            + "-init-gateways -service-cluster-ip-range=172.16.1.0/24 -cluster-subnet=11.11.0.0/16 "
            + "-nb-address=tcp://10.0.0.10:6641 -sb-address=tcp://10.0.0.10:6642";

    @Test
    void theSeedsMasterCommandLineBecomesTheMastersConfiguration() throws Exception {
        RunConfiguration run = build(SEED_MASTER);
        assertEquals(new LaunchSettings(List.of("master"), "overlay", List.of("gateway")), run.settings());
        assertEquals(List.of("platform", "core", "master", "overlay", "gateway"), run.settings().features());
        assertEquals(Map.of("roles", List.of("-init-master", "-net-controller"), "features", List.of("-nodeport")),
                run.launcherOrigins());
        assertEquals(Optional.of("INFO"), run.logLevel());
        assertEquals(Optional.of(Path.of("/var/log/ovnkube.log")), run.logFile());
        assertEquals(map(
                "io.ovnk.kube api.server", "http://10.0.0.10:8080 <- flag -k8s-apiserver",
                "io.ovnk.kube kubeconfig", "/home/op/kubeconfig.yaml <- flag -k8s-kubeconfig",
                "io.ovnk.kube.leader identity", "master-1 <- flag -init-master",
                "io.ovnk.ipam cluster.subnets", "[11.11.0.0/16] <- flag -cluster-subnet",
                "io.ovnk.ipam service.cidrs", "[172.16.1.0/24] <- flag -service-cluster-ip-range",
                "io.ovnk.ovsdb.connection~nb database", "OVN_Northbound <- flag -nb-address",
                "io.ovnk.ovsdb.connection~nb remotes", "tcp:10.0.0.10:6641 <- flag -nb-address",
                "io.ovnk.ovsdb.connection~sb database", "OVN_Southbound <- flag -sb-address",
                "io.ovnk.ovsdb.connection~sb remotes", "tcp:10.0.0.10:6642 <- flag -sb-address"), map(run.flags()));
        assertEquals(Map.of(), map(run.implied()));
        assertEquals(List.of(), run.unused());
    }

    @Test
    void theSeedsNodeCommandLineBecomesTheNodesConfiguration() throws Exception {
        RunConfiguration run = build(SEED_NODE);
        assertEquals(new LaunchSettings(List.of("node"), "overlay", List.of("gateway")), run.settings());
        assertEquals(map(
                "io.ovnk.kube api.server", "http://10.0.0.10:8080 <- flag -k8s-apiserver",
                "io.ovnk.kube kubeconfig", "/home/op/kubeconfig.yaml <- flag -k8s-kubeconfig",
                "io.ovnk.kube token", "s3cr3t-token <- flag -k8s-token",
                "io.ovnk.overlay.node node.name", "node-1 <- flag -init-node",
                "io.ovnk.kube.informers pod.node", "node-1 <- flag -init-node",
                "io.ovnk.overlay.node cluster.subnets", "[11.11.0.0/16] <- flag -cluster-subnet",
                "io.ovnk.overlay.node service.cidrs", "[172.16.1.0/24] <- flag -service-cluster-ip-range",
                "io.ovnk.gateway.node node.name", "node-1 <- flag -init-node",
                "io.ovnk.gateway.node node.port.enable", "true <- flag -nodeport",
                "io.ovnk.overlay.node sb.remotes", "tcp:10.0.0.10:6642 <- flag -sb-address"), map(run.flags()));
        assertEquals(map(
                "io.ovnk.ovsdb.connection~ovs database", "Open_vSwitch <- flag -init-node",
                "io.ovnk.ovsdb.connection~ovs remotes", "unix:/var/run/openvswitch/db.sock <- flag -init-node",
                "io.ovnk.overlay.node encap.ip", "10.0.0.21 <- flag -init-node",
                "io.ovnk.gateway.node uplink", "eth0 <- flag -init-gateways"), map(run.implied()));
        assertEquals(Map.of("roles", List.of("-init-node"), "features", List.of("-init-gateways")), run.launcherOrigins());
        assertEquals(List.of("-nb-address \"tcp://10.0.0.10:6641\": the node role does not use the OVN Northbound"),
                run.unused());
    }

    @Test
    void currentOvnKubernetesSpellingsMapToo() throws Exception {
        RunConfiguration master = build("--init-cluster-manager=cm-1 --cluster-subnets=10.128.0.0/14/23,fd00:10:128::/48/64 "
                + "--k8s-service-cidrs 172.30.0.0/16 --gateway-mode shared --k8s-token-file /run/token "
                + "--nb-address=ssl:10.0.0.1:6641,ssl:[fd00::2]:6641 --nb-client-privkey k.pem --nb-client-cert c.pem "
                + "--nb-client-cacert ca.pem --k8s-cacert /etc/k8s/ca.crt --loglevel=5");
        assertEquals(new LaunchSettings(List.of("master"), "overlay", List.of("gateway")), master.settings());
        assertEquals(Optional.of("DEBUG"), master.logLevel());
        assertEquals(map(
                "io.ovnk.kube token.file", "/run/token <- flag --k8s-token-file",
                "io.ovnk.kube ca.file", "/etc/k8s/ca.crt <- flag --k8s-cacert",
                "io.ovnk.kube.leader identity", "cm-1 <- flag --init-cluster-manager",
                "io.ovnk.ipam cluster.subnets", "[10.128.0.0/14/23, fd00:10:128::/48/64] <- flag --cluster-subnets",
                "io.ovnk.ipam service.cidrs", "[172.30.0.0/16] <- flag --k8s-service-cidrs",
                "io.ovnk.ovsdb.connection~nb database", "OVN_Northbound <- flag --nb-address",
                "io.ovnk.ovsdb.connection~nb remotes", "ssl:10.0.0.1:6641,ssl:[fd00::2]:6641 <- flag --nb-address",
                "io.ovnk.ovsdb.connection~nb private.key", "/home/op/k.pem <- flag --nb-client-privkey",
                "io.ovnk.ovsdb.connection~nb certificate", "/home/op/c.pem <- flag --nb-client-cert",
                "io.ovnk.ovsdb.connection~nb ca.certificate", "/home/op/ca.pem <- flag --nb-client-cacert"),
                map(master.flags()));

        RunConfiguration node = build("--init-node w1 --encap-ip 192.0.2.11 --encap-type vxlan --mtu 1360 "
                + "--sb-address tcp:[fd00::1]:6642 --cni-conf-dir /etc/cni/net.d --mode overlay -loglevel=7");
        assertEquals(Optional.of("TRACE"), node.logLevel());
        assertEquals(map(
                "io.ovnk.overlay.node node.name", "w1 <- flag --init-node",
                "io.ovnk.kube.informers pod.node", "w1 <- flag --init-node",
                "io.ovnk.overlay.node encap.ip", "192.0.2.11 <- flag --encap-ip",
                "io.ovnk.overlay.node encap.type", "vxlan <- flag --encap-type",
                "io.ovnk.overlay.node mtu", "1360 <- flag --mtu",
                "io.ovnk.cni mtu", "1360 <- flag --mtu",
                "io.ovnk.cni conf.dir", "/etc/cni/net.d <- flag --cni-conf-dir",
                "io.ovnk.overlay.node sb.remotes", "tcp:[fd00::1]:6642 <- flag --sb-address"), map(node.flags()));
        // an explicit tunnel address: nothing is derived
        assertEquals(List.of("database", "remotes"), node.implied().stream().map(Setting::key).toList());
    }

    @Test
    void aNodeGatewayTakesItsUplinkNextHopAndVlanFromFlags() throws Exception {
        RunConfiguration run = build("--init-node=w1 --gateway-mode=shared --gateway-interface=ens4 "
                + "--gateway-nexthop=192.0.2.254 --gateway-vlanid=20");
        assertEquals(List.of("gateway"), run.settings().extraFeatures());
        assertEquals(map(
                "io.ovnk.overlay.node node.name", "w1 <- flag --init-node",
                "io.ovnk.kube.informers pod.node", "w1 <- flag --init-node",
                "io.ovnk.gateway.node node.name", "w1 <- flag --init-node",
                "io.ovnk.gateway.node uplink", "ens4 <- flag --gateway-interface",
                "io.ovnk.gateway.node next.hop", "192.0.2.254 <- flag --gateway-nexthop",
                "io.ovnk.gateway.node vlan", "20 <- flag --gateway-vlanid",
                "io.ovnk.gateway.node node.port.enable", "false <- flag --gateway-mode"), map(run.flags()));

        // -nodeport alone: the master's NodePorts, no node gateway (as the seed)
        RunConfiguration nodeport = build("-init-node=w1 -nodeport -gateway-interface=ens4");
        assertEquals(List.of("gateway"), nodeport.settings().extraFeatures());
        assertEquals(List.of("-gateway-interface \"ens4\": no -init-gateways in this run"), nodeport.unused());
    }

    @Test
    void bothRolesInOneProcessGetTheMasterAndTheNodeKeys() throws Exception {
        RunConfiguration run = build("-init-master=h1 -init-node=h1 -cluster-subnet=10.1.0.0/16");
        assertEquals(List.of("master", "node"), run.settings().roles());
        assertEquals("[10.1.0.0/16]", String.valueOf(map(run.flags()).get("io.ovnk.ipam cluster.subnets")).split(" ")[0]);
        assertEquals("[10.1.0.0/16]", String.valueOf(map(run.flags()).get("io.ovnk.overlay.node cluster.subnets")).split(" ")[0]);
        // both roles: the node's informers keep every pod for the master
        assertEquals(null, map(run.flags()).get("io.ovnk.kube.informers pod.node"));
    }

    @Test
    void underlayIsChosenByAFlagAndTheNodeInsideTheVmTakesItsNameFromInitNode() throws Exception {
        RunConfiguration node = build("-mode=underlay -init-node=vm-node-1 -k8s-apiserver=http://10.0.0.10:8080");
        assertEquals(new LaunchSettings(List.of("node"), "underlay", List.of()), node.settings());
        assertEquals(List.of("platform", "core", "node", "underlay"), node.settings().features());
        assertEquals("vm-node-1 <- flag -init-node", map(node.flags()).get("io.ovnk.underlay.node node.name"));
        assertEquals(null, map(node.flags()).get("io.ovnk.overlay.node node.name"), "no overlay node in underlay mode");
        assertEquals(List.of(), node.implied(), "no overlay connection or encapsulation implied");
        RunConfiguration master = build("-mode=underlay -init-master=m1 -nb-address=tcp://10.0.0.10:6641");
        assertEquals(List.of("platform", "core", "master", "underlay"), master.settings().features());
    }

    @Test
    void withoutFlagsEtcDecidesAndNothingIsLayered() throws Exception {
        RunConfiguration run = RunConfiguration.build(List.of(), LaunchSettings.defaults(), (pid, key) -> Optional.empty(),
                NO_HOST, CWD);
        assertEquals(LaunchSettings.defaults(), run.settings());
        assertEquals(false, run.hasLayer());
    }

    @Test
    void malformedValuesAreRefusedNamingTheFlag() {
        assertEquals("-cluster-subnet: \"10.0.0.0/33\" is not a CIDR (prefix length 33 is more than 32)",
                refused("-init-master=m -cluster-subnet=10.0.0.0/33"));
        assertEquals("-cluster-subnet: \"10.0.0.1/16\" is not a network: host bits are set",
                refused("-init-master=m -cluster-subnet=10.0.0.1/16"));
        assertEquals("--cluster-subnets: \"10.128.0.0/14/12\" has host prefix /12, which must be longer than /14",
                refused("-init-master=m --cluster-subnets=10.128.0.0/14/12"));
        assertEquals("-service-cluster-ip-range: \"172.16.1.0/24/26\" is not a CIDR (ADDRESS/PREFIX)",
                refused("-init-master=m -service-cluster-ip-range=172.16.1.0/24/26"));
        assertEquals("-cluster-subnet: \"10.0.0.0/16,\" has an empty item in its comma-separated list",
                refused("-init-master=m -cluster-subnet=10.0.0.0/16,"));
        assertEquals("-cluster-subnet: \"300.0.0.0/8\" is not a CIDR (300.0.0.0 is not an IP address (300 is above 255))",
                refused("-init-master=m -cluster-subnet=300.0.0.0/8"));
        assertEquals("-nb-address: \"http://10.0.0.1:6641\" is not an OVSDB address (tcp://HOST:PORT, tcp:HOST:PORT, "
                + "ssl:HOST:PORT or unix:PATH)", refused("-init-master=m -nb-address=http://10.0.0.1:6641"));
        assertEquals("-nb-address: \"tcp:10.0.0.1:70000\" is not an OVSDB address (port 70000 is outside 1-65535)",
                refused("-init-master=m -nb-address=tcp:10.0.0.1:70000"));
        assertEquals("-nb-address: \"tcp:fd00::1:6641\" is not an OVSDB address (an IPv6 address goes in brackets: "
                + "[fd00::1]:6641)", refused("-init-master=m -nb-address=tcp:fd00::1:6641"));
        assertEquals("-nb-address: \"unix:db.sock\" is not an OVSDB address (unix: needs an absolute path)",
                refused("-init-master=m -nb-address=unix:db.sock"));
        assertEquals("-mtu: \"abc\" is not a whole number", refused("-init-node=n -mtu=abc"));
        assertEquals("-mtu: \"100\" is outside 576-65535", refused("-init-node=n -mtu=100"));
        assertEquals("-loglevel: \"-1\" is outside 0-2147483647", refused("-init-node=n -loglevel=-1"));
        assertEquals("-loglevel: \"four\" is not a whole number", refused("-init-node=n -loglevel=four"));
        assertEquals("-k8s-apiserver: \"ftp://10.0.0.1\" is not an http:// or https:// URL",
                refused("-init-node=n -k8s-apiserver=ftp://10.0.0.1"));
        assertEquals("-k8s-apiserver: \"http://:8080\" has no host", refused("-init-node=n -k8s-apiserver=http://:8080"));
        assertEquals("-init-node: \"Node_1\" is not a Kubernetes Node name (lower-case letters, digits, '-' and '.')",
                refused("-init-node=Node_1"));
        assertEquals("--encap-ip: \"192.0.2\" is not an IP address", refused("-init-node=n --encap-ip=192.0.2"));
        assertEquals("--encap-type: \"gre\" is not one of geneve, vxlan", refused("-init-node=n --encap-type=gre"));
        assertEquals("--mode: \"overlya\" is not one of overlay, underlay", refused("-init-node=n --mode=overlya"));
        assertEquals("--gateway-mode: \"sharde\" is not one of shared, local", refused("--gateway-mode=sharde"));
        assertEquals("--gateway-interface: \"eth0:1/x\" is not an interface name (1-15 characters, no '/', ':' or "
                + "spaces)", refused("-init-node=n -init-gateways --gateway-interface=eth0:1/x"));
        assertEquals("--gateway-vlanid: \"4095\" is outside 0-4094", refused("-init-node=n -init-gateways --gateway-vlanid=4095"));
    }

    @Test
    void contradictionsAreRefusedNamingTheFlag() {
        assertEquals("-init-node: given twice with different values: -init-node=\"a\" and -init-node=\"b\"",
                refused("-init-node=a -init-node=b"));
        assertEquals("--cluster-subnets: given twice with different values: -cluster-subnet=\"10.0.0.0/16\" and "
                + "--cluster-subnets=\"10.1.0.0/16\"", refused("-cluster-subnet=10.0.0.0/16 --cluster-subnets=10.1.0.0/16"));
        assertEquals("-k8s-token: given twice with different values: -k8s-token=(secret) and -k8s-token=(secret)",
                refused("-k8s-token=one -k8s-token=two"));
        assertEquals("--encap-ip: the node role needs a node name: give -init-node NODE (or node.name in "
                + "etc/io.ovnk.overlay.node.cfg)", refused("--encap-ip=192.0.2.1"));
        assertEquals("-nb-address: \"tcp://10.0.0.1:6641,ssl:10.0.0.2:6641\" mixes tcp and ssl addresses; all "
                + "addresses of a database are of one kind", refused("-init-master=m -nb-address=tcp://10.0.0.1:6641,ssl:10.0.0.2:6641"));
        assertEquals("-sb-address: \"tcp:10.0.0.1:6642,unix:/run/sb.sock\" mixes tcp and unix addresses; all "
                + "addresses of a database are of one kind", refused("-init-node=n -sb-address=tcp:10.0.0.1:6642,unix:/run/sb.sock"));
        assertEquals("--init-cluster-manager: \"b\" contradicts -init-master \"a\" (both name this master)",
                refused("-init-master=a --init-cluster-manager=b"));
        assertEquals("-gateway-mode: \"local\" is not supported: ovnk's gateway is the shared mode",
                refused("-init-node=n -gateway-mode=local"));
        assertEquals("-gateway-local: the local gateway mode is not supported: ovnk's gateway is the shared mode "
                + "(-gateway-mode shared)", refused("-init-node=n -gateway-local"));
        assertEquals("-nb-client-privkey: the TLS files go together: also give -nb-client-cert and -nb-client-cacert",
                refused("-init-master=m -nb-client-privkey=k.pem"));
        assertEquals("-nb-address: ssl: addresses need -nb-client-privkey, -nb-client-cert, -nb-client-cacert (or "
                + "their keys in etc/io.ovnk.ovsdb.connection~nb.cfg)", refused("-init-master=m -nb-address=ssl:10.0.0.1:6641"));
    }

    @Test
    void aNodeGatewayWithoutAnUplinkOrADefaultRouteIsAContradiction() {
        LaunchException e = assertThrows(LaunchException.class, () -> RunConfiguration.build(
                Flags.parse(List.of("-init-node=w1", "-init-gateways")), LaunchSettings.defaults(),
                (pid, key) -> Optional.empty(), NO_HOST, CWD));
        assertEquals("-init-gateways: the node gateway needs an uplink and this host has no default route: give "
                + "-gateway-interface IFACE (or uplink in etc/io.ovnk.gateway.node.cfg)", e.getMessage());
    }

    @Test
    void etcFilesAnswerForWhatFlagsLeaveOut() throws Exception {
        Map<String, String> etc = Map.of("io.ovnk.overlay.node node.name", "w9",
                "io.ovnk.ovsdb.connection~nb private.key", "/k", "io.ovnk.ovsdb.connection~nb certificate", "/c",
                "io.ovnk.ovsdb.connection~nb ca.certificate", "/ca");
        RunConfiguration run = RunConfiguration.build(Flags.parse(List.of("--encap-ip=192.0.2.1",
                "-nb-address=ssl:10.0.0.1:6641")), LaunchSettings.defaults(),
                (pid, key) -> Optional.ofNullable(etc.get(pid + " " + key)), NO_HOST, CWD);
        assertEquals("192.0.2.1 <- flag --encap-ip", map(run.flags()).get("io.ovnk.overlay.node encap.ip"));
        assertEquals("ssl:10.0.0.1:6641 <- flag -nb-address", map(run.flags()).get("io.ovnk.ovsdb.connection~nb remotes"));
    }

    @Test
    void flagsWithoutATargetInThisRunAreListedAsUnused() throws Exception {
        RunConfiguration run = build("-init-master=m --encap-ip=192.0.2.1 --mtu=1500 -nb-address=tcp:10.0.0.1:6641");
        assertEquals(List.of("--encap-ip \"192.0.2.1\": no node role in overlay mode in this run",
                "--mtu \"1500\": no node role in this run"), run.unused());
    }

    @Test
    void theSeedsHaFlagIsAcceptedAndSaysWhyItSetsNothing() throws Exception {
        RunConfiguration run = build("-init-master=m -ha -nb-address=tcp:10.0.0.1:6641");
        assertEquals(List.of("-ha \"true\": masters always elect a leader through a Lease (io.ovnk.kube.leader) and "
                + "every new leader rebuilds the Northbound it owns; nothing to set"), run.unused());
        assertEquals(List.of(), build("-init-master=m -ha=false -nb-address=tcp:10.0.0.1:6641").unused());
        LaunchException bad = assertThrows(LaunchException.class, () -> build("-init-master=m -ha=maybe"));
        assertTrue(bad.getMessage().startsWith("-ha"), bad.getMessage());
    }

    static RunConfiguration build(String commandLine) throws LaunchException {
        return RunConfiguration.build(Flags.parse(Arrays.asList(commandLine.split(" "))), LaunchSettings.defaults(), (pid, key) -> Optional.empty(),
                HOST, CWD);
    }

    private static String refused(String commandLine) {
        return assertThrows(LaunchException.class, () -> build(commandLine)).getMessage();
    }

    static Map<String, String> map(List<Setting> settings) {
        Map<String, String> map = new LinkedHashMap<>();
        settings.forEach(s -> map.put(s.pid() + " " + s.key(), s.value() + " <- " + s.origin()));
        return map;
    }

    private static Map<String, String> map(String... entries) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < entries.length; i += 2) {
            map.put(entries[i], entries[i + 1]);
        }
        return map;
    }
}
