package io.ovnk.underlay.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Interfaces through {@code ip}: in the VM's namespace ({@code host.netns}, or this process's) with {@code ip -n},
 * in a pod's namespace (CNI_NETNS, a path) with {@code nsenter --net}. Several changes go to one
 * {@code ip -batch -} process.
 */
class Links {

    private final ProcessRunner runner;
    private final String hostNetns;

    Links(ProcessRunner runner, String hostNetns) {
        this.runner = runner;
        this.hostNetns = hostNetns;
    }

    /** Where the VM's interfaces are, for messages. */
    String vmDescription() {
        return hostNetns.isEmpty() ? "the VM" : "the VM (netns " + hostNetns + ")";
    }

    /** {@code ip} commands (one per line, without "ip") in the VM's namespace, as one process. */
    void vmBatch(List<String> lines, Duration timeout) throws CommandException {
        runner.run(vmIp("-batch", "-"), String.join("\n", lines) + "\n", timeout);
    }

    String vm(Duration timeout, String... arguments) throws CommandException {
        return runner.run(vmIp(arguments), null, timeout);
    }

    /** {@code ip -d link show dev NAME} in the VM; empty when it does not exist. */
    Optional<String> vmLink(String name, Duration timeout) throws CommandException {
        return absentIfMissing(vmIp("-d", "link", "show", "dev", name), timeout);
    }

    /** Deletes an interface of the VM (a veth's peer goes with it); false when there was none. */
    boolean deleteVmLink(String name, Duration timeout) throws CommandException {
        return delete(vmIp("link", "del", name), timeout);
    }

    /**
     * {@code ip} commands inside the pod's namespace as one process, then (if {@code txOffInterface} is given)
     * transmit checksum offload off on that interface, in the same process.
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

    /** {@code ip -d addr show dev NAME} inside the pod; empty when the interface does not exist. */
    Optional<String> podLink(String netns, String name, Duration timeout) throws CommandException {
        return absentIfMissing(List.of("nsenter", "--net=" + netns, "ip", "-d", "addr", "show", "dev", name), timeout);
    }

    /** Deletes an interface inside the pod; false when it (or the namespace) is gone. */
    boolean deletePodLink(String netns, String name, Duration timeout) throws CommandException {
        if (!java.nio.file.Files.exists(java.nio.file.Path.of(netns))) {
            return false;
        }
        return delete(List.of("nsenter", "--net=" + netns, "ip", "link", "del", name), timeout);
    }

    private Optional<String> absentIfMissing(List<String> command, Duration timeout) throws CommandException {
        ProcessRunner.Result result = runner.exec(command, null, timeout);
        if (result.exitCode() == 0) {
            return Optional.of(result.stdout());
        }
        if (missing(result.stderr())) {
            return Optional.empty();
        }
        throw new CommandException(command, result.stderr(), "exited with " + result.exitCode());
    }

    private boolean delete(List<String> command, Duration timeout) throws CommandException {
        ProcessRunner.Result result = runner.exec(command, null, timeout);
        if (result.exitCode() == 0) {
            return true;
        }
        if (missing(result.stderr())) {
            return false;
        }
        throw new CommandException(command, result.stderr(), "exited with " + result.exitCode());
    }

    private static boolean missing(String stderr) {
        return stderr.contains("Cannot find device") || stderr.contains("does not exist")
                || stderr.contains("No such file or directory");
    }

    private List<String> vmIp(String... arguments) {
        List<String> command = new ArrayList<>(List.of("ip"));
        if (!hostNetns.isEmpty()) {
            command.addAll(List.of("-n", hostNetns));
        }
        command.addAll(List.of(arguments));
        return command;
    }
}
