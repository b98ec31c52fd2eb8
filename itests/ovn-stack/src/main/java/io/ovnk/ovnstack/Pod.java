package io.ovnk.ovnstack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A pod as the tests see it: a network namespace with an {@code eth0}. Traffic from a pod only ever goes to
 * addresses inside the stack's own namespaces and bridges.
 *
 * @param name the pod name
 * @param namespace the network namespace
 * @param hostInterface the veth end on the chassis side (in the chassis's namespace), or null before plugging
 */
public record Pod(String name, String namespace, String hostInterface, Commands commands) {

    /** Runs a command inside the pod's network namespace; a non-zero exit throws. */
    public String exec(String... command) {
        return commands.run(Commands.DEFAULT_TIMEOUT, inside(command));
    }

    /** Runs a command inside the pod and returns its result whatever the exit code. */
    public Commands.Result tryExec(Duration timeout, String... command) {
        return commands.exec(timeout, inside(command));
    }

    /** Three pings, 200 ms apart; true when at least one is answered. */
    public boolean ping(String address) {
        return tryExec(Duration.ofSeconds(15), "ping", "-c", "3", "-i", "0.2", "-W", "2", address).exitCode() == 0;
    }

    List<String> inside(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return full;
    }
}
