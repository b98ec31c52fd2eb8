package io.ovnk.underlay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TagAllocatorTest {

    private final AtomicLong clock = new AtomicLong();
    private final Map<String, Integer> none = Map.of();

    private TagAllocator allocator(int min, int max) {
        return new TagAllocator(min, max, Duration.ofMinutes(10), clock::get);
    }

    @Test
    void tagsAreUniquePerParentAndIndependentAcrossParents() {
        TagAllocator tags = allocator(1, 4094);
        Set<Integer> vm1 = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            assertTrue(vm1.add(tags.assign("p" + i, "vm1", none, OptionalInt.empty())));
        }
        assertEquals(1, tags.assign("q0", "vm2", none, OptionalInt.empty()));
        assertEquals(101, tags.assign("p100", "vm1", none, OptionalInt.empty()));
    }

    @Test
    void theSamePortKeepsItsTagAcrossCalls() {
        TagAllocator tags = allocator(1, 4094);
        int first = tags.assign("a", "vm1", none, OptionalInt.empty());
        tags.assign("b", "vm1", none, OptionalInt.empty());
        assertEquals(first, tags.assign("a", "vm1", none, OptionalInt.empty()));
        // once the Northbound shows it, the reservation ends and the row holds the tag
        assertEquals(first, tags.assign("a", "vm1", Map.of("a", first), OptionalInt.empty()));
        assertEquals(OptionalInt.empty(), tags.reserved("a"));
    }

    @Test
    void tagsInTheNorthboundAreRecoveredByAFreshAllocator() {
        TagAllocator restarted = allocator(1, 4094);
        Map<String, Integer> northbound = Map.of("a", 7, "b", 1, "c", 2);
        assertEquals(7, restarted.assign("a", "vm1", northbound, OptionalInt.empty()));
        int fresh = restarted.assign("d", "vm1", northbound, OptionalInt.empty());
        assertTrue(!Set.of(7, 1, 2).contains(fresh), "d got " + fresh);
    }

    @Test
    void anAnnotatedTagIsKeptWhenFreeAndRefusedWhenTaken() {
        TagAllocator tags = allocator(1, 4094);
        assertEquals(42, tags.assign("a", "vm1", none, OptionalInt.of(42)));
        assertNotEquals(42, tags.assign("b", "vm1", none, OptionalInt.of(42)));
        assertEquals(42, tags.assign("c", "vm2", none, OptionalInt.of(42)));
        assertNotEquals(5000, tags.assign("d", "vm1", none, OptionalInt.of(5000)));
    }

    @Test
    void aPortDeletedFromTheNorthboundGivesItsTagBackLastInRoundRobinOrder() {
        TagAllocator tags = allocator(1, 3);
        Map<String, Integer> northbound = new HashMap<>();
        for (String port : new String[] { "a", "b", "c" }) {
            northbound.put(port, tags.assign(port, "vm1", northbound, OptionalInt.empty()));
        }
        assertThrows(UnderlayBindException.TagsExhausted.class,
                () -> tags.assign("d", "vm1", northbound, OptionalInt.empty()));
        northbound.remove("b"); // the master deleted b's port
        assertEquals(2, tags.assign("d", "vm1", northbound, OptionalInt.empty()));
    }

    @Test
    void roundRobinDoesNotHandOutAJustReleasedTagFirst() {
        TagAllocator tags = allocator(1, 10);
        Map<String, Integer> northbound = new HashMap<>();
        northbound.put("a", tags.assign("a", "vm1", northbound, OptionalInt.empty()));
        northbound.remove("a");
        assertEquals(2, tags.assign("b", "vm1", northbound, OptionalInt.empty()));
    }

    @Test
    void exhaustionNamesTheParentAndThePort() {
        TagAllocator tags = allocator(100, 101);
        tags.assign("a", "vm1", none, OptionalInt.empty());
        tags.assign("b", "vm1", none, OptionalInt.empty());
        UnderlayBindException e = assertThrows(UnderlayBindException.TagsExhausted.class,
                () -> tags.assign("c", "vm1", none, OptionalInt.empty()));
        assertEquals("VM port vm1: all 2 VLAN tags (100-101) are in use by its other pods; port c waits until one "
                + "is released", e.getMessage());
        assertEquals(100, tags.assign("c", "vm2", none, OptionalInt.empty()));
    }

    @Test
    void aReservationNobodyAsksForExpiresAfterTheGrace() {
        TagAllocator tags = allocator(1, 1);
        tags.assign("gone", "vm1", none, OptionalInt.empty()); // bound, then deleted before its port was written
        assertThrows(UnderlayBindException.TagsExhausted.class, () -> tags.assign("b", "vm1", none, OptionalInt.empty()));
        clock.addAndGet(Duration.ofMinutes(11).toNanos());
        assertEquals(1, tags.assign("b", "vm1", none, OptionalInt.empty()));
    }

    @Test
    void aConflictInTheNorthboundIsResolvedWithoutMovingBothPorts() {
        TagAllocator tags = allocator(1, 4094);
        Map<String, Integer> northbound = Map.of("a", 5, "b", 5); // written by someone else
        int a = tags.assign("a", "vm1", northbound, OptionalInt.empty());
        int b = tags.assign("b", "vm1", northbound, OptionalInt.empty());
        assertNotEquals(a, b);
        assertTrue(a == 5 || b == 5, a + " " + b);
    }

    @Test
    void aPortMovingToAnotherParentLeavesItsOldTagFree() {
        TagAllocator tags = allocator(1, 1);
        assertEquals(1, tags.assign("a", "vm1", none, OptionalInt.empty()));
        assertEquals(1, tags.assign("a", "vm2", none, OptionalInt.empty()));
        assertEquals(1, tags.assign("b", "vm1", none, OptionalInt.empty()));
    }

    @Test
    void aRangeOutsideTheVlanIdsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> allocator(0, 10));
        assertThrows(IllegalArgumentException.class, () -> allocator(1, 4095));
        assertThrows(IllegalArgumentException.class, () -> allocator(10, 9));
    }

    @Test
    void randomBindsAndDeletesNeverShareATagBehindOneParent() {
        long seed = Long.getLong("underlay.seed", System.nanoTime());
        Random random = new Random(seed);
        TagAllocator tags = allocator(1, 20);
        Map<String, Integer> northbound = new HashMap<>();
        for (int step = 0; step < 5000; step++) {
            String port = "p" + random.nextInt(30);
            if (random.nextInt(3) == 0) {
                northbound.remove(port);
                continue;
            }
            try {
                int tag = tags.assign(port, "vm1", Map.copyOf(northbound), OptionalInt.empty());
                northbound.put(port, tag);
            } catch (UnderlayBindException.TagsExhausted e) {
                // every tag is held: by another port's row, or reserved for a port whose row was deleted before
                // any later bind of this VM could see it (such a reservation ends after the grace)
                int held = northbound.size() - (northbound.containsKey(port) ? 1 : 0) + tags.reservations()
                        - (tags.reserved(port).isPresent() ? 1 : 0);
                assertTrue(held >= 20, "seed " + seed + ": only " + held + " tags held");
            }
            assertEquals(northbound.size(), new HashSet<>(northbound.values()).size(), "seed " + seed + ": "
                    + northbound);
        }
    }
}
