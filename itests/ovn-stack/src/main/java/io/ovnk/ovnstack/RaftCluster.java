package io.ovnk.ovnstack;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** A clustered (RAFT) OVN_Northbound of several ovsdb-server members on 127.0.0.1, each restartable. */
public final class RaftCluster {

    /** One member: its database file, client socket and port, and the port the cluster talks on. */
    public static final class Member {
        private final int index;
        private final Path file;
        private final Database database;
        private final int raftPort;
        private Daemon daemon;

        Member(int index, Path file, Database database, int raftPort) {
            this.index = index;
            this.file = file;
            this.database = database;
            this.raftPort = raftPort;
        }

        public int index() {
            return index;
        }

        public Database database() {
            return database;
        }

        public int raftPort() {
            return raftPort;
        }

        public synchronized Daemon daemon() {
            return daemon;
        }

        synchronized void daemon(Daemon daemon) {
            this.daemon = daemon;
        }

        Path file() {
            return file;
        }
    }

    private final List<Member> members;
    private final Commands commands;
    /** How to start each member, by index: the same file and ports every time. */
    private final List<Supplier<Daemon>> starters;

    RaftCluster(List<Member> members, Commands commands, List<Supplier<Daemon>> starters) {
        this.members = List.copyOf(members);
        this.commands = commands;
        this.starters = List.copyOf(starters);
    }

    public List<Member> members() {
        return members;
    }

    public Member member(int index) {
        return members.get(index);
    }

    /** Every member's TCP remote, comma-separated, as clients take them. */
    public String remotes() {
        return members.stream().map(m -> m.database().tcpRemote()).collect(Collectors.joining(","));
    }

    /** The member that is leader now, if any member says so. */
    public Optional<Member> leader() {
        for (Member member : members) {
            Daemon daemon = member.daemon();
            if (daemon == null || !daemon.alive()) {
                continue;
            }
            Commands.Result status = commands.exec(Duration.ofSeconds(5), List.of("ovs-appctl", "-t",
                    daemon.control().toString(), "cluster/status", "OVN_Northbound"));
            if (status.exitCode() == 0 && status.stdout().lines().anyMatch(line -> line.strip().equals("Role: leader"))) {
                return Optional.of(member);
            }
        }
        return Optional.empty();
    }

    /**
     * Waits until a running member leads. RAFT elections have no event a client can subscribe to, so this asks
     * each member's cluster/status every 50 ms until the deadline.
     */
    public Member awaitLeader(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Optional<Member> leader = leader();
            if (leader.isPresent()) {
                return leader.get();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("no RAFT leader among " + members.size() + " members within "
                        + timeout.toMillis() + " ms");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for a RAFT leader");
            }
        }
    }

    /** SIGKILL, as a crash. */
    public void kill(Member member) {
        member.daemon().kill();
    }

    /** Starts a stopped member again on the same file and ports. */
    public void restart(Member member) {
        if (member.daemon() != null && member.daemon().alive()) {
            throw new IllegalStateException("member " + member.index() + " is still running");
        }
        member.daemon(starters.get(member.index()).get());
        commands.run(Duration.ofSeconds(30), List.of("ovsdb-client", "--timeout=30", "wait",
                member.database().unixRemote(), "OVN_Northbound", "connected"));
    }

    void stop() {
        for (Member member : members) {
            if (member.daemon() != null) {
                member.daemon().stop(commands);
            }
        }
    }

    List<Daemon> daemons() {
        List<Daemon> daemons = new ArrayList<>();
        members.forEach(m -> {
            if (m.daemon() != null) {
                daemons.add(m.daemon());
            }
        });
        return daemons;
    }
}
