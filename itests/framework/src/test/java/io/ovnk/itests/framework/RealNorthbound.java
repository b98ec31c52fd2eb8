package io.ovnk.itests.framework;

import io.ovnk.ovnstack.OvnStack;
import io.ovnk.ovnstack.Prerequisites;
import java.util.Map;

/**
 * A real OVN_Northbound for in-framework tests, started in the test driver (outside the framework) and stopped
 * by the stack's own JVM shutdown hook. Kept apart from the test classes, which are also loaded inside the
 * framework where the stack's classes do not exist.
 */
final class RealNorthbound {

    private RealNorthbound() {
    }

    /** Its remotes ("tcp", "unix"), or why it cannot run here ("missing"); under CI=true missing is a failure. */
    static Map<String, String> start() {
        var missing = Prerequisites.missing();
        if (missing.isPresent()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but this machine cannot run the real OVN stack: " + missing.get());
            }
            return Map.of("missing", missing.get());
        }
        OvnStack stack = OvnStack.northboundOnly();
        return Map.of("tcp", stack.northbound().tcpRemote(), "unix", stack.northbound().unixRemote());
    }
}
