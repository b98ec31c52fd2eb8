package io.ovnk.kube;

import java.time.Instant;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Registered while this process holds the leader Lease and unregistered the moment it loses it: master
 * components {@code @Reference} it and are deactivated when leadership goes.
 */
@ProviderType
public interface Leadership {

    /** This process's identity in the Lease's {@code holderIdentity}. */
    String identity();

    /** {@code namespace/name} of the Lease. */
    String lease();

    /** When this process became leader. */
    Instant since();
}
