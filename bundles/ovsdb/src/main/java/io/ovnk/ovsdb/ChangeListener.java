package io.ovnk.ovsdb;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Hears the cache's changes, in order, in batches; one listener's slowness never delays the cache or other
 * listeners, and never loses a change (it is merged into the next batch).
 */
@ConsumerType
@FunctionalInterface
public interface ChangeListener {
    void changed(List<RowChange> changes);
}
