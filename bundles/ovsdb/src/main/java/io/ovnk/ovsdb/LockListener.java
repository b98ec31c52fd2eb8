package io.ovnk.ovsdb;

import org.osgi.annotation.versioning.ConsumerType;

/** Hears when this client gets a lock it asked for, or has it stolen by another client. */
@ConsumerType
public interface LockListener {
    void locked(String lock);

    void stolen(String lock);
}
