package io.ovnk.ovnstack;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link CleanupTest}: starts a single-chassis stack with one pod, prints what it
 * started, then leaves the way it is told: {@code exit} (System.exit, shutdown hooks run) or {@code halt}
 * (Runtime.halt, as a SIGKILL: nothing runs).
 */
public final class StackInChildJvm {

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        OvnStack stack = OvnStack.builder().root(root).northbound().southbound().chassis(1).start();
        stack.createPod("orphan");
        for (Daemon daemon : stack.daemons()) {
            System.out.println("daemon " + daemon.pid());
        }
        for (String namespace : stack.namespaces()) {
            System.out.println("namespace " + namespace);
        }
        System.out.println("ready");
        System.out.flush();
        if (args[1].equals("halt")) {
            Runtime.getRuntime().halt(0);
        }
        System.exit(0);
    }
}
