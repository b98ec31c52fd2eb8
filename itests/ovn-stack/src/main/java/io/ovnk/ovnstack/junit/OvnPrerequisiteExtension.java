package io.ovnk.ovnstack.junit;

import io.ovnk.ovnstack.Prerequisites;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The gate behind {@link RequiresOvn}: skip with a reason outside CI, fail under {@code CI=true}. */
public final class OvnPrerequisiteExtension implements BeforeAllCallback, BeforeEachCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        check();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check();
    }

    /** Usable from any test framework: returns normally only when the stack can run. */
    public static void check() {
        Optional<String> missing = Prerequisites.missing();
        if (missing.isEmpty()) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but this machine cannot run the real OVN stack: " + missing.get());
        }
        Assumptions.abort("needs a real OVS/OVN stack: " + missing.get());
    }
}
