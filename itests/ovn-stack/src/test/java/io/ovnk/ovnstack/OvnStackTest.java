package io.ovnk.ovnstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.ovnstack.junit.RequiresOvn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@RequiresOvn
class OvnStackTest {

    @Test
    void northboundOnlyServesTheSchemaOnUnixSocketAndTcp() throws Exception {
        List<Daemon> daemons;
        try (OvnStack stack = OvnStack.northboundOnly()) {
            daemons = stack.daemons();
            stack.nbctl("ls-add", "sw0");
            String overTcp = stack.commands().run("ovn-nbctl", "--db=" + stack.northbound().tcpRemote(), "ls-list");
            assertTrue(overTcp.contains("sw0"), overTcp);

            // a raw RFC 7047 list_dbs over the TCP port, as ovnk's own client will speak it
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", stack.northbound().tcpPort()), 5000);
                socket.setSoTimeout(5000);
                OutputStream out = socket.getOutputStream();
                out.write("{\"id\":1,\"method\":\"list_dbs\",\"params\":[]}".getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                char[] buffer = new char[4096];
                int n = in.read(buffer);
                String reply = new String(buffer, 0, n);
                assertTrue(reply.contains("\"OVN_Northbound\""), reply);
                assertTrue(reply.contains("\"id\":1"), reply);
            }
        }
        assertAllGone(daemons, List.of());
    }

    @Test
    void podsOnOneChassisReachEachOtherThroughOvn() {
        List<Daemon> daemons;
        List<String> namespaces;
        try (OvnStack stack = OvnStack.singleChassis()) {
            stack.nbctl("ls-add", "node1", "--", "lsp-add", "node1", "pod-a", "--", "lsp-set-addresses", "pod-a",
                    "0a:58:0a:f4:00:03 10.244.0.3", "--", "lsp-add", "node1", "pod-b", "--", "lsp-set-addresses",
                    "pod-b", "0a:58:0a:f4:00:04 10.244.0.4");
            Chassis chassis = stack.chassis(0);
            Pod a = chassis.plug(stack.createPod("pod-a"), "pod-a", "0a:58:0a:f4:00:03", "10.244.0.3/24", "10.244.0.1", 1400);
            Pod b = chassis.plug(stack.createPod("pod-b"), "pod-b", "0a:58:0a:f4:00:04", "10.244.0.4/24", "10.244.0.1", 1400);
            stack.nbctl("wait-until", "Logical_Switch_Port", "pod-a", "up=true");
            stack.nbctl("wait-until", "Logical_Switch_Port", "pod-b", "up=true");
            assertTrue(a.ping("10.244.0.4"), "pod-a -> pod-b");
            assertTrue(b.ping("10.244.0.3"), "pod-b -> pod-a");
            assertFalse(a.ping("10.244.0.99"), "an address no port holds must not answer");
            // the veth host ends live in the chassis namespace, not in the machine's
            assertTrue(chassis.namespace().isPresent());
            assertTrue(chassis.execInDatapathNamespace("ip", "link", "show", b.hostInterface()).contains(b.hostInterface()));
            daemons = stack.daemons();
            namespaces = stack.namespaces();
        }
        assertAllGone(daemons, namespaces);
    }

    @Test
    void podsOnTwoChassisReachEachOtherOverGeneve() {
        List<Daemon> daemons;
        List<String> namespaces;
        try (OvnStack stack = OvnStack.twoChassis()) {
            stack.nbctl("ls-add", "sw", "--", "lsp-add", "sw", "p1", "--", "lsp-set-addresses", "p1",
                    "0a:58:0a:f4:00:03 10.244.0.3", "--", "lsp-add", "sw", "p2", "--", "lsp-set-addresses", "p2",
                    "0a:58:0a:f4:00:04 10.244.0.4");
            Pod p1 = stack.chassis(0).plug(stack.createPod("p1"), "p1", "0a:58:0a:f4:00:03", "10.244.0.3/24", "10.244.0.1", 1400);
            Pod p2 = stack.chassis(1).plug(stack.createPod("p2"), "p2", "0a:58:0a:f4:00:04", "10.244.0.4/24", "10.244.0.1", 1400);
            assertEquals("node1", stack.sbctl("--bare", "--columns=hostname", "find", "Chassis", "name=node1").strip());
            assertTrue(p1.ping("10.244.0.4"), "p1 (node1) -> p2 (node2) over Geneve");
            assertTrue(p2.ping("10.244.0.3"), "p2 (node2) -> p1 (node1) over Geneve");
            String tunnels = stack.chassis(0).vsctl("--bare", "--columns=options", "find", "Interface", "type=geneve");
            assertTrue(tunnels.contains("remote_ip=\"172.31.255.2\"") || tunnels.contains("remote_ip=172.31.255.2"), tunnels);
            daemons = stack.daemons();
            namespaces = stack.namespaces();
        }
        assertAllGone(daemons, namespaces);
    }

    @Test
    void raftNorthboundElectsANewLeaderWhenTheLeaderIsKilled() {
        List<Daemon> daemons;
        try (OvnStack stack = OvnStack.raftNorthbound()) {
            RaftCluster raft = stack.raft();
            assertEquals(3, raft.members().size());
            stack.nbctl("ls-add", "before-failover");
            RaftCluster.Member leader = raft.awaitLeader(Duration.ofSeconds(30));
            raft.kill(leader);
            assertFalse(leader.daemon().alive());
            RaftCluster.Member next = raft.awaitLeader(Duration.ofSeconds(30));
            assertNotEquals(leader.index(), next.index());
            stack.nbctl("ls-add", "after-failover");
            raft.restart(leader);
            String switches = stack.commands().run("ovn-nbctl", "--no-leader-only", "--timeout=30",
                    "--db=" + leader.database().unixRemote(), "--wait=none", "ls-list");
            assertTrue(switches.contains("before-failover"), switches);
            daemons = raft.daemons();
        }
        assertAllGone(daemons, List.of());
    }

    static void assertAllGone(List<Daemon> daemons, List<String> namespaces) {
        for (Daemon daemon : daemons) {
            assertFalse(daemon.alive(), daemon + " still runs");
            assertFalse(ProcessHandle.of(daemon.pid()).map(ProcessHandle::isAlive).orElse(false), daemon + " still in /proc");
        }
        for (String namespace : namespaces) {
            assertFalse(Namespaces.exists(namespace), "namespace " + namespace + " still exists");
        }
    }
}
