package io.ovnk.master.internal;

import io.ovnk.ipam.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which pod holds which addresses, as this master allocated or recovered them: the IPAM knows addresses, not
 * their owners, and the master needs owners to tell "this pod's own address" from "someone else's".
 */
final class PodAddressBook {

    /** A pod's addresses on its node. */
    record Entry(String node, List<IpAddress> addresses) {
        Entry {
            addresses = List.copyOf(addresses);
        }
    }

    private final Map<String, Entry> byPod = new ConcurrentHashMap<>();
    private final Map<IpAddress, String> byAddress = new ConcurrentHashMap<>();

    Optional<Entry> get(String pod) {
        return Optional.ofNullable(byPod.get(pod));
    }

    void put(String pod, Entry entry) {
        Entry before = byPod.put(pod, entry);
        if (before != null) {
            before.addresses().forEach(address -> byAddress.remove(address, pod));
        }
        entry.addresses().forEach(address -> byAddress.put(address, pod));
    }

    Optional<Entry> remove(String pod) {
        Entry removed = byPod.remove(pod);
        if (removed != null) {
            removed.addresses().forEach(address -> byAddress.remove(address, pod));
        }
        return Optional.ofNullable(removed);
    }

    /** The pod holding an address, if any. */
    Optional<String> holder(IpAddress address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    int size() {
        return byPod.size();
    }

    void clear() {
        byPod.clear();
        byAddress.clear();
    }
}
