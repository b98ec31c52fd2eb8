package io.ovnk.overlay.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node's and the pods' network interfaces, through {@code ip}: in the host namespace ({@code host.netns},
 * or this process's) with {@code ip -n}, in a pod's namespace (a path, CNI_NETNS) with {@code nsenter --net}.
 * Several changes go to one {@code ip -batch -} process: each process costs milliseconds, and CNI ADD waits.
 */
final class Links {

    private final ProcessRunner runner;
    private final String hostNetns;
    private final String hostNetnsReference;

    Links(ProcessRunner runner, NodeSettings settings) {
        this.runner = runner;
        this.hostNetns = settings.hostNetns();
        this.hostNetnsReference = settings.hostNetnsReference();
    }

    /** The host namespace as {@code ip link ... netns} takes it. */
    String hostNetnsReference() {
        return hostNetnsReference;
    }

    /** Where host-side interfaces live, for messages. */
    String hostNetnsDescription() {
        return hostNetns.isEmpty() ? "the host namespace" : "netns " + hostNetns;
    }

    /** Runs {@code ip} commands (one per line, without "ip") in the host namespace, as one process. */
    void hostBatch(List<String> lines, Duration timeout) throws CommandException {
        runner.run(hostIp("-batch", "-"), String.join("\n", lines) + "\n", timeout);
    }

    /** Runs one {@code ip} command in the host namespace and returns its output. */
    String host(Duration timeout, String... arguments) throws CommandException {
        return runner.run(hostIp(arguments), null, timeout);
    }

    /**
     * Deletes a host-side interface (a veth's peer goes with it). False when it did not exist; anything else
     * going wrong throws.
     */
    boolean deleteHostLink(String name, Duration timeout) throws CommandException {
        List<String> command = hostIp("link", "del", name);
        ProcessRunner.Result result = runner.exec(command, null, timeout);
        if (result.exitCode() == 0) {
            return true;
        }
        if (result.stderr().contains("Cannot find device") || result.stderr().contains("does not exist")) {
            return false;
        }
        throw new CommandException(command, result.exitCode(), result.stderr(), "exited with " + result.exitCode());
    }

    /** The MAC of a host-side interface, if it exists. */
    Optional<String> hostLinkMac(String name, Duration timeout) throws CommandException {
        ProcessRunner.Result result = runner.exec(hostIp("-br", "link", "show", "dev", name), null, timeout);
        if (result.exitCode() != 0) {
            return Optional.empty();
        }
        String[] fields = result.stdout().trim().split("\\s+");
        return fields.length >= 3 ? Optional.of(fields[2]) : Optional.empty();
    }

    /**
     * Runs {@code ip} commands inside the pod's namespace as one process, then (if {@code txOffInterface} is
     * given) turns its transmit checksum offload off, in the same process.
     */
    void podBatch(String netns, List<String> lines, String txOffInterface, Duration timeout) throws CommandException {
        List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + netns));
        if (txOffInterface == null) {
            command.addAll(List.of("ip", "-batch", "-"));
        } else {
            command.addAll(List.of("sh", "-c", "ip -batch - && exec ethtool -K \"$0\" tx off", txOffInterface));
        }
        runner.run(command, String.join("\n", lines) + "\n", timeout);
    }

    /** {@code ip addr show dev <name>} inside the pod's namespace; empty when the interface does not exist. */
    Optional<String> podAddresses(String netns, String ifName, Duration timeout) throws CommandException {
        List<String> command = List.of("nsenter", "--net=" + netns, "ip", "addr", "show", "dev", ifName);
        ProcessRunner.Result result = runner.exec(command, null, timeout);
        if (result.exitCode() == 0) {
            return Optional.of(result.stdout());
        }
        if (result.stderr().contains("does not exist") || result.stderr().contains("Cannot find device")) {
            return Optional.empty();
        }
        throw new CommandException(command, result.exitCode(), result.stderr(), "exited with " + result.exitCode());
    }

    private List<String> hostIp(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ip"));
        if (!hostNetns.isEmpty()) {
            command.addAll(List.of("-n", hostNetns));
        }
        command.addAll(List.of(arguments));
        return command;
    }
}
