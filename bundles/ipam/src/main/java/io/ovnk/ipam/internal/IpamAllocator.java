package io.ovnk.ipam.internal;

import io.ovnk.ipam.AddressUnavailableException;
import io.ovnk.ipam.AddressUnavailableException.Reason;
import io.ovnk.ipam.Cidr;
import io.ovnk.ipam.ClusterSubnet;
import io.ovnk.ipam.Family;
import io.ovnk.ipam.IpAddress;
import io.ovnk.ipam.Ipam;
import io.ovnk.ipam.IpamConfigurationException;
import io.ovnk.ipam.MacAddress;
import io.ovnk.ipam.NodeSubnets;
import io.ovnk.ipam.PodAddresses;
import io.ovnk.ipam.Recovery;
import io.ovnk.ipam.Recovery.AddressClaim;
import io.ovnk.ipam.RecoveryReport;
import io.ovnk.ipam.RecoveryReport.Conflict;
import io.ovnk.ipam.RecoveryReport.Kind;
import io.ovnk.ipam.SubnetExhaustedException;
import io.ovnk.ipam.SubnetUsage;
import io.ovnk.ipam.UnknownNodeException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IPAM, plain Java. Pod calls take only the monitor of the node subnet they touch; node-level changes
 * (allocate, release, recover, reconfigure) are serialised by one node lock, which the pod path never takes.
 */
public final class IpamAllocator implements Ipam {

    private static final Logger LOG = LoggerFactory.getLogger(IpamAllocator.class);
    private static final int LOGGED_CONFLICTS = 20;

    /** One configuration and its families, IPv4 first; replaced whole by a live reconfiguration. */
    private record State(IpamSettings settings, FamilyAllocator[] families) {

        FamilyAllocator family(Family family) {
            for (FamilyAllocator candidate : families) {
                if (candidate.family() == family) {
                    return candidate;
                }
            }
            return null;
        }
    }

    private final ReentrantLock nodeLock = new ReentrantLock();
    private volatile State state;

    IpamAllocator(IpamSettings settings) {
        this.state = build(settings);
    }

    /** An allocator for the given settings, as the configuration keys of {@code io.ovnk.ipam} spell them. */
    public static IpamAllocator of(String[] clusterSubnets, String[] serviceCidrs, String[] joinSubnets,
            String[] excludedSubnets, int[] reservedOffsets) {
        return new IpamAllocator(IpamSettings.parse(clusterSubnets, serviceCidrs, joinSubnets, excludedSubnets,
                reservedOffsets));
    }

    private static State build(IpamSettings settings) {
        List<FamilyAllocator> families = new ArrayList<>(2);
        for (Family family : Family.values()) {
            List<ClusterSubnet> entries = settings.clusterSubnets(family);
            if (!entries.isEmpty()) {
                families.add(new FamilyAllocator(family, entries, settings.excludedSubnets(family),
                        settings.reservedOffsets()));
                for (ClusterSubnet entry : entries) {
                    long offered = 1L << Math.min(62, entry.hostPrefix() - entry.cidr().prefixLength());
                    if (offered > ClusterRange.MAX_SLOTS) {
                        LOG.info("cluster subnet {}: only its first {} node subnets are used", entry,
                                ClusterRange.MAX_SLOTS);
                    }
                }
            }
        }
        return new State(settings, families.toArray(FamilyAllocator[]::new));
    }

    IpamSettings settings() {
        return state.settings();
    }

    @Override
    public List<ClusterSubnet> clusterSubnets() {
        return state.settings().clusterSubnets();
    }

    @Override
    public List<Cidr> joinSubnets() {
        return state.settings().joinSubnets().stream().sorted(Comparator.comparing(Cidr::family)).toList();
    }

    @Override
    public List<Cidr> serviceCidrs() {
        return state.settings().serviceCidrs();
    }

    @Override
    public void clear() {
        nodeLock.lock();
        try {
            int nodes = allNodeSubnets().size();
            State old = state;
            state = build(old.settings());
            for (FamilyAllocator family : old.families()) {
                family.pools().forEach(AddressPool::retire); // a pod call still holding one fails instead of allocating
            }
            LOG.info("cleared: {} nodes' subnets and their pod addresses forgotten", nodes);
        } finally {
            nodeLock.unlock();
        }
    }

    // ---- node subnets

    @Override
    public NodeSubnets allocateNodeSubnets(String node) {
        requireName(node);
        nodeLock.lock();
        try {
            State current = state;
            FamilyAllocator[] families = current.families();
            AddressPool[] fresh = new AddressPool[families.length];
            List<Cidr> subnets = new ArrayList<>(families.length);
            for (int i = 0; i < families.length; i++) {
                AddressPool pool = families[i].pool(node);
                if (pool == null) {
                    pool = families[i].allocateSubnet(node);
                    if (pool == null) {
                        for (int j = 0; j < i; j++) {
                            if (fresh[j] != null) {
                                fresh[j].retire();
                                families[j].clear(fresh[j]);
                            }
                        }
                        List<Cidr> full = families[i].clusterCidrs();
                        throw new SubnetExhaustedException(full, "node " + node + ": no " + families[i].family()
                                + " node subnet is left in " + full + " (every one is allocated or excluded)");
                    }
                    fresh[i] = pool;
                }
                subnets.add(pool.subnet());
            }
            for (int i = 0; i < families.length; i++) {
                if (fresh[i] != null) {
                    families[i].index(families[i].index().with(fresh[i]));
                    LOG.info("node {}: subnet {} allocated", node, subnets.get(i));
                }
            }
            return new NodeSubnets(node, subnets);
        } finally {
            nodeLock.unlock();
        }
    }

    @Override
    public Optional<NodeSubnets> nodeSubnets(String node) {
        Objects.requireNonNull(node, "node");
        List<Cidr> subnets = new ArrayList<>(2);
        for (FamilyAllocator family : state.families()) {
            AddressPool pool = family.pool(node);
            if (pool != null) {
                subnets.add(pool.subnet());
            }
        }
        return subnets.isEmpty() ? Optional.empty() : Optional.of(new NodeSubnets(node, subnets));
    }

    @Override
    public List<NodeSubnets> allNodeSubnets() {
        nodeLock.lock();
        try {
            Map<String, List<Cidr>> byNode = new TreeMap<>();
            for (FamilyAllocator family : state.families()) {
                for (AddressPool pool : family.pools()) {
                    byNode.computeIfAbsent(pool.node(), node -> new ArrayList<>(2)).add(pool.subnet());
                }
            }
            return byNode.entrySet().stream().map(entry -> new NodeSubnets(entry.getKey(), entry.getValue())).toList();
        } finally {
            nodeLock.unlock();
        }
    }

    @Override
    public boolean releaseNodeSubnets(String node) {
        Objects.requireNonNull(node, "node");
        nodeLock.lock();
        try {
            boolean held = false;
            for (FamilyAllocator family : state.families()) {
                AddressPool pool = family.pool(node);
                if (pool != null) {
                    Cidr subnet = pool.subnet();
                    pool.retire(); // before it leaves the index: a pod call that still found it fails cleanly
                    family.clear(pool);
                    family.index(family.index().without(node));
                    held = true;
                    LOG.info("node {}: subnet {} released, with the pod addresses in it", node, subnet);
                }
            }
            return held;
        } finally {
            nodeLock.unlock();
        }
    }

    // ---- pod addresses

    @Override
    public PodAddresses allocatePodAddresses(String node) {
        Objects.requireNonNull(node, "node");
        FamilyAllocator[] families = state.families();
        AddressPool[] pools = new AddressPool[families.length];
        Cidr[] addresses = new Cidr[families.length];
        for (int i = 0; i < families.length; i++) {
            AddressPool pool = families[i].pool(node);
            Cidr address = pool == null ? null : pool.allocate();
            if (address == null) {
                for (int j = 0; j < i; j++) {
                    pools[j].release(addresses[j].address());
                }
                if (pool == null || pool.retired()) {
                    throw unknownNode(node, families[i].family());
                }
                Cidr subnet = pool.subnet();
                throw new SubnetExhaustedException(List.of(subnet), "node " + node + ": node subnet " + subnet
                        + " has no free address left");
            }
            pools[i] = pool;
            addresses[i] = address;
        }
        return podAddresses(addresses);
    }

    @Override
    public PodAddresses allocatePodAddresses(String node, List<IpAddress> requested) {
        Objects.requireNonNull(node, "node");
        if (requested.isEmpty()) {
            return allocatePodAddresses(node);
        }
        State current = state;
        if (requested.stream().map(IpAddress::family).distinct().count() != requested.size()) {
            throw new IllegalArgumentException("node " + node + ": requested " + requested
                    + ": a pod has at most one address per family");
        }
        List<IpAddress> sorted = requested.stream().sorted().toList(); // IPv4 first, as the result lists them
        AddressPool[] pools = new AddressPool[sorted.size()];
        Cidr[] addresses = new Cidr[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            IpAddress address = sorted.get(i);
            Located located;
            try {
                located = locate(current, node, address);
            } catch (RuntimeException e) {
                rollback(pools, addresses, i);
                throw e;
            }
            if (!located.pool().take(located.offset())) {
                rollback(pools, addresses, i);
                if (located.pool().retired()) {
                    throw unknownNode(node, address.family());
                }
                throw new AddressUnavailableException(address, Reason.TAKEN, "node " + node + ": requested address "
                        + address + " is taken");
            }
            pools[i] = located.pool();
            addresses[i] = new Cidr(address, located.range().hostPrefix());
        }
        LOG.debug("node {}: static addresses {} taken", node, sorted);
        return podAddresses(addresses);
    }

    @Override
    public int releasePodAddresses(String node, Collection<IpAddress> addresses) {
        Objects.requireNonNull(node, "node");
        State current = state;
        Located[] valid = new Located[addresses.size()];
        int count = 0;
        for (IpAddress address : addresses) {
            FamilyAllocator family = current.family(address.family());
            if (family != null && family.pool(node) == null) {
                continue; // the node's subnet is gone, and every address in it with it
            }
            valid[count++] = locate(current, node, address);
        }
        int released = 0;
        for (int i = 0; i < count; i++) {
            if (valid[i].pool().release(valid[i].offset())) {
                released++;
            }
        }
        return released;
    }

    /** Where an address of a node lies; the checks every static take and every release make. */
    private record Located(AddressPool pool, ClusterRange range, int offset) {
    }

    private Located locate(State current, String node, IpAddress address) {
        FamilyAllocator family = current.family(address.family());
        if (family == null) {
            throw new AddressUnavailableException(address, Reason.OUTSIDE, "node " + node + ": " + address
                    + " is outside the cluster subnets: none of family " + address.family() + " is configured");
        }
        AddressPool pool = family.pool(node);
        if (pool == null) {
            throw unknownNode(node, address.family());
        }
        ClusterRange range = family.rangeOf(address);
        if (range == null || range.pool(range.slotOf(address)) != pool) {
            throw new AddressUnavailableException(address, Reason.OUTSIDE, "node " + node + ": " + address
                    + " is outside the node's subnet " + pool.subnet());
        }
        int offset = range.offsetOf(address);
        if (offset < 0) {
            throw new AddressUnavailableException(address, Reason.OUTSIDE, "node " + node + ": " + address
                    + " is beyond the first " + range.poolSize() + " addresses of " + pool.subnet()
                    + ", the part that is handed out");
        }
        if (family.reserved(range, address)) {
            throw new AddressUnavailableException(address, Reason.RESERVED, "node " + node + ": " + address
                    + " is reserved: " + family.reservedFor(range, address));
        }
        return new Located(pool, range, offset);
    }

    private static void rollback(AddressPool[] pools, Cidr[] addresses, int count) {
        for (int j = 0; j < count; j++) {
            pools[j].release(addresses[j].address());
        }
    }

    private static PodAddresses podAddresses(Cidr[] addresses) {
        List<Cidr> list = List.of(addresses);
        IpAddress[] gateways = new IpAddress[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            gateways[i] = firstHost(addresses[i]);
        }
        return new PodAddresses(list, MacAddress.forAddress(addresses[0].address()), List.of(gateways));
    }

    /** The gateway of a node subnet, network + 1, computed in place: this is on every pod's path. */
    private static IpAddress firstHost(Cidr subnet) {
        IpAddress address = subnet.address();
        int hostBits = subnet.hostBits();
        if (hostBits >= 64) {
            long highMask = hostBits >= 128 ? 0 : -1L << (hostBits - 64);
            return new IpAddress(address.family(), address.high() & highMask, 1);
        }
        return new IpAddress(address.family(), address.high(), (address.low() & (-1L << hostBits)) + 1);
    }

    private static UnknownNodeException unknownNode(String node, Family family) {
        return new UnknownNodeException(node, "node " + node + " holds no " + family
                + " subnet: allocate its node subnets first");
    }

    private static void requireName(String node) {
        Objects.requireNonNull(node, "node");
        if (node.isBlank()) {
            throw new IllegalArgumentException("a node name must not be blank");
        }
    }

    // ---- recovery

    @Override
    public RecoveryReport recover(Recovery recovery) {
        nodeLock.lock();
        try {
            State current = state;
            List<Conflict> conflicts = new ArrayList<>();
            int subnets = recoverSubnets(current, recovery.nodeSubnets(), conflicts);
            int addresses = recoverAddresses(current, recovery.addresses(), conflicts);
            LOG.info("recovered {} node subnets and {} pod addresses; {} conflicting claims", subnets, addresses,
                    conflicts.size());
            for (int i = 0; i < Math.min(LOGGED_CONFLICTS, conflicts.size()); i++) {
                LOG.warn("recovery conflict, claim left out: {}", conflicts.get(i));
            }
            if (conflicts.size() > LOGGED_CONFLICTS) {
                LOG.warn("... and {} more recovery conflicts", conflicts.size() - LOGGED_CONFLICTS);
            }
            return new RecoveryReport(subnets, addresses, conflicts);
        } finally {
            nodeLock.unlock();
        }
    }

    private int recoverSubnets(State current, Map<String, List<Cidr>> claims, List<Conflict> conflicts) {
        int recovered = 0;
        Map<FamilyAllocator, Map<String, AddressPool>> placed = new HashMap<>();
        for (Map.Entry<String, List<Cidr>> claim : new TreeMap<>(claims).entrySet()) {
            String node = claim.getKey();
            for (Cidr subnet : claim.getValue()) {
                FamilyAllocator family = current.family(subnet.family());
                ClusterRange range = family == null ? null : family.rangeOfSubnet(subnet);
                if (range == null) {
                    conflicts.add(new Conflict(Kind.OUTSIDE, "subnet " + subnet, "node " + node, Optional.of(
                            "the node subnets of " + current.settings().clusterSubnets())));
                    continue;
                }
                int slot = range.slotOfSubnet(subnet);
                AddressPool holder = range.pool(slot);
                if (holder != null) {
                    if (!holder.node().equals(node)) {
                        conflicts.add(new Conflict(Kind.DUPLICATE, "subnet " + subnet, "node " + node,
                                Optional.of("node " + holder.node())));
                    }
                    continue; // the node holds it already: recovering twice changes nothing
                }
                Map<String, AddressPool> placedHere = placed.computeIfAbsent(family, f -> new HashMap<>());
                AddressPool mine = family.pool(node) != null ? family.pool(node) : placedHere.get(node);
                if (mine != null) {
                    conflicts.add(new Conflict(Kind.SECOND_SUBNET, "subnet " + subnet, "node " + node,
                            Optional.of(mine.subnet().toString())));
                    continue;
                }
                if (family.wholly(range, slot)) {
                    conflicts.add(new Conflict(Kind.RESERVED, "subnet " + subnet, "node " + node,
                            Optional.of("excluded by " + IpamSettings.EXCLUDED_SUBNETS)));
                    continue;
                }
                placedHere.put(node, family.placeSubnet(node, range, slot));
                recovered++;
            }
        }
        for (Map.Entry<FamilyAllocator, Map<String, AddressPool>> entry : placed.entrySet()) {
            List<AddressPool> all = new ArrayList<>(entry.getKey().pools());
            all.addAll(entry.getValue().values());
            entry.getKey().index(NodeIndex.of(all));
        }
        return recovered;
    }

    private int recoverAddresses(State current, List<AddressClaim> claims, List<Conflict> conflicts) {
        int recovered = 0;
        Map<IpAddress, String> holders = null; // built at the first duplicate only: duplicates are rare
        boolean[] accepted = new boolean[claims.size()];
        for (int i = 0; i < claims.size(); i++) {
            AddressClaim claim = claims.get(i);
            IpAddress address = claim.address();
            FamilyAllocator family = current.family(address.family());
            ClusterRange range = family == null ? null : family.rangeOf(address);
            AddressPool pool = range == null ? null : range.pool(range.slotOf(address));
            if (pool == null) {
                conflicts.add(conflict(Kind.OUTSIDE, claim, "every allocated node subnet"));
                continue;
            }
            if (!pool.node().equals(claim.node())) {
                conflicts.add(new Conflict(Kind.WRONG_NODE, "address " + address, "pod " + claim.owner() + " on node "
                        + claim.node(), Optional.of(pool.node())));
                continue;
            }
            int offset = range.offsetOf(address);
            if (offset < 0) {
                conflicts.add(conflict(Kind.OUTSIDE, claim, "the first " + range.poolSize() + " addresses of "
                        + pool.subnet()));
                continue;
            }
            if (family.reserved(range, address)) {
                conflicts.add(conflict(Kind.RESERVED, claim, family.reservedFor(range, address)));
                continue;
            }
            if (!pool.recover(offset)) {
                if (holders == null) {
                    holders = new HashMap<>();
                    for (int j = 0; j < i; j++) {
                        if (accepted[j]) {
                            holders.putIfAbsent(claims.get(j).address(), claims.get(j).owner());
                        }
                    }
                }
                conflicts.add(new Conflict(Kind.DUPLICATE, "address " + address, "pod " + claim.owner(),
                        Optional.ofNullable(holders.get(address)).map(owner -> "pod " + owner)));
                continue;
            }
            accepted[i] = true;
            if (holders != null) {
                holders.put(address, claim.owner());
            }
            recovered++;
        }
        return recovered;
    }

    /** Messages are built only for the claims that conflict: a recovery may hold a million addresses. */
    private static Conflict conflict(Kind kind, AddressClaim claim, String holder) {
        return new Conflict(kind, "address " + claim.address(), "pod " + claim.owner(), Optional.of(holder));
    }

    // ---- usage

    @Override
    public List<SubnetUsage> usage() {
        nodeLock.lock();
        try {
            List<SubnetUsage> usage = new ArrayList<>();
            for (FamilyAllocator family : state.families()) {
                for (AddressPool pool : family.pools()) {
                    long[] bits = pool.snapshot();
                    long[] reserved = family.reservedBits(pool.range(), pool.slot());
                    int allocated = 0;
                    int reservedCount = 0;
                    for (int i = 0; i < bits.length; i++) {
                        allocated += Long.bitCount(bits[i] & ~reserved[i]);
                        reservedCount += Long.bitCount(reserved[i]);
                    }
                    usage.add(new SubnetUsage(pool.node(), pool.subnet(), allocated,
                            pool.range().poolSize() - reservedCount));
                }
            }
            usage.sort(Comparator.comparing(SubnetUsage::node).thenComparing(SubnetUsage::subnet));
            return usage;
        } finally {
            nodeLock.unlock();
        }
    }

    // ---- live reconfiguration

    /** What a reconfiguration does to one pool, worked out before anything changes. */
    private record Move(FamilyAllocator family, AddressPool pool, ClusterRange range, int slot, long[] added,
            long[] dropped) {
    }

    /**
     * Applies new settings, keeping every node subnet and pod address, or refuses them whole: an
     * IpamConfigurationException lists what the new settings would orphan (a node subnet outside the new
     * cluster subnets or wholly excluded, an allocated address that becomes reserved), and nothing changes.
     *
     * @return false when the settings equal the running ones
     */
    boolean reconfigure(IpamSettings next) {
        nodeLock.lock();
        try {
            State current = state;
            if (next.equals(current.settings())) {
                return false;
            }
            State fresh = build(next);
            List<String> orphans = new ArrayList<>();
            TreeSet<String> fields = new TreeSet<>();
            List<Move> moves = new ArrayList<>();
            for (FamilyAllocator old : current.families()) {
                FamilyAllocator family = fresh.family(old.family());
                for (AddressPool pool : old.pools()) {
                    Cidr subnet = pool.subnet();
                    ClusterRange range = family == null ? null : family.rangeOfSubnet(subnet);
                    if (range == null) {
                        orphans.add("node " + pool.node() + " holds " + subnet + (family == null
                                ? ", and the new cluster subnets have no " + old.family() + " range"
                                : family.clusterCidrs().stream().anyMatch(cidr -> cidr.overlaps(subnet))
                                        ? ", which is not a /" + hostPrefixes(family) + " node subnet of the new "
                                                + "cluster subnets " + family.ranges()
                                        : ", which lies outside the new cluster subnets " + family.ranges()));
                        fields.add(IpamSettings.CLUSTER_SUBNETS);
                        continue;
                    }
                    int slot = range.slotOfSubnet(subnet);
                    if (family.wholly(range, slot)) {
                        orphans.add("node " + pool.node() + " holds " + subnet + ", which the new exclusions cover");
                        fields.add(IpamSettings.EXCLUDED_SUBNETS);
                        continue;
                    }
                    long[] oldReserved = old.reservedBits(pool.range(), pool.slot());
                    long[] newReserved = family.reservedBits(range, slot);
                    long[] bits = pool.snapshot();
                    long[] added = new long[bits.length];
                    long[] dropped = new long[bits.length];
                    for (int w = 0; w < bits.length; w++) {
                        added[w] = newReserved[w] & ~oldReserved[w];
                        dropped[w] = oldReserved[w] & ~newReserved[w];
                        long clash = bits[w] & added[w];
                        while (clash != 0) {
                            int offset = (w << 6) + Long.numberOfTrailingZeros(clash);
                            IpAddress address = range.address(slot, offset);
                            orphans.add("pod address " + address + " on node " + pool.node()
                                    + " would become reserved: " + family.reservedFor(range, address));
                            fields.add(family.reservedFor(range, address).startsWith("excluded")
                                    ? IpamSettings.EXCLUDED_SUBNETS : IpamSettings.RESERVED_OFFSETS);
                            clash &= clash - 1;
                        }
                    }
                    moves.add(new Move(family, pool, range, slot, added, dropped));
                }
            }
            if (!orphans.isEmpty()) {
                throw refused(fields, orphans);
            }
            // first the part that can fail (an address newly reserved was handed out since the check)...
            for (int i = 0; i < moves.size(); i++) {
                Move move = moves.get(i);
                if (!move.pool().reserve(move.added())) {
                    for (int j = 0; j < i; j++) {
                        moves.get(j).pool().unreserve(moves.get(j).added());
                    }
                    throw refused(fields, List.of("node " + move.pool().node() + " was handed an address in "
                            + move.pool().subnet() + " that the new settings reserve, while they were checked"));
                }
            }
            // ...then the part that cannot
            Map<FamilyAllocator, List<AddressPool>> adopted = new HashMap<>();
            for (Move move : moves) {
                move.pool().relocate(move.range(), move.slot(), move.dropped());
                move.family().adopt(move.pool(), move.range(), move.slot());
                adopted.computeIfAbsent(move.family(), f -> new ArrayList<>()).add(move.pool());
            }
            for (FamilyAllocator family : fresh.families()) {
                family.index(NodeIndex.of(adopted.getOrDefault(family, List.of())));
            }
            state = fresh;
            LOG.info("configuration applied: {} ({} node subnets kept)", next, moves.size());
            return true;
        } finally {
            nodeLock.unlock();
        }
    }

    private static String hostPrefixes(FamilyAllocator family) {
        return family.ranges().stream().map(range -> String.valueOf(range.hostPrefix()))
                .distinct().reduce((a, b) -> a + " or /" + b).orElse("?");
    }

    private static IpamConfigurationException refused(TreeSet<String> fields, List<String> orphans) {
        String shown = String.join("; ", orphans.subList(0, Math.min(10, orphans.size())));
        return new IpamConfigurationException(String.join(", ", fields), "refused, nothing changed: it would orphan "
                + orphans.size() + " allocation" + (orphans.size() == 1 ? "" : "s") + ": " + shown
                + (orphans.size() > 10 ? "; and " + (orphans.size() - 10) + " more" : ""));
    }
}
