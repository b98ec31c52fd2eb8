package io.ovnk.shell;

import org.osgi.annotation.versioning.ProviderType;

/** The health of this process's ovnk components, judged now (nothing is cached between calls). */
@ProviderType
public interface Health {

    HealthReport check();
}
