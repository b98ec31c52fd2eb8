package io.ovnk.ovnstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What /proc says about a PID: used to never signal a process that is not the one we started. */
final class Processes {

    private Processes() {
    }

    /** True if {@code pid} runs and its command name is {@code comm}; a zombie counts as gone. */
    static boolean runs(long pid, String comm) {
        return comm(pid).filter(comm::equals).isPresent() && !zombie(pid);
    }

    static Optional<String> comm(long pid) {
        try {
            return Optional.of(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the state follows the parenthesised command name, which may itself hold spaces
            int close = stat.lastIndexOf(')');
            return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return true;
        }
    }
}
