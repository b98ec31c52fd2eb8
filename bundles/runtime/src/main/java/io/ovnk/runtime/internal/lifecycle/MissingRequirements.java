package io.ovnk.runtime.internal.lifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;
import org.osgi.resource.Requirement;

/**
 * Why a bundle does not resolve, asked without side effects: each mandatory requirement it declares is
 * looked up with {@link FrameworkWiring#findProviders}; those nobody provides are the reason.
 */
final class MissingRequirements {

    private MissingRequirements() {
    }

    /** Readable descriptions of the requirements no installed bundle provides; empty if all are provided. */
    static List<String> of(Bundle bundle, FrameworkWiring wiring) {
        List<String> missing = new ArrayList<>();
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision == null) {
            return missing;
        }
        for (Requirement requirement : revision.getRequirements(null)) {
            Map<String, String> directives = requirement.getDirectives();
            if (Namespace.RESOLUTION_OPTIONAL.equals(directives.get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE))) {
                continue;
            }
            String effective = directives.getOrDefault(Namespace.REQUIREMENT_EFFECTIVE_DIRECTIVE, Namespace.EFFECTIVE_RESOLVE);
            if (!Namespace.EFFECTIVE_RESOLVE.equals(effective)) {
                continue;
            }
            if (wiring.findProviders(requirement).isEmpty()) {
                String filter = directives.getOrDefault(Namespace.REQUIREMENT_FILTER_DIRECTIVE, "");
                missing.add(BundleProblems.describe(requirement.getNamespace(), filter));
            }
        }
        return missing;
    }
}
