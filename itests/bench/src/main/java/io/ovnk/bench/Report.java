package io.ovnk.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A benchmark's report: printed, and written to {@code -Dbench.out} when the build passes one. */
final class Report {

    private Report() {
    }

    static void publish(List<String> lines) throws IOException {
        String report = String.join("\n", lines) + "\n";
        System.out.println();
        System.out.print(report);
        String out = System.getProperty("bench.out");
        if (out != null && !out.isBlank() && !out.contains("${")) {
            Files.writeString(Path.of(out), report);
        }
    }

    /** The heading line: date, cores and JVM, so figures are never read without their machine. */
    static String heading(String what) {
        return "# " + what + ", " + java.time.LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version");
    }
}
