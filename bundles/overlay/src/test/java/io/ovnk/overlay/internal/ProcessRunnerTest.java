package io.ovnk.overlay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {

    private final ProcessRunner runner = new ProcessRunner();

    @Test
    void stdinGoesInAndStdoutComesBack() throws Exception {
        assertEquals("a\nb\n", runner.run(List.of("cat"), "a\nb\n", Duration.ofSeconds(10)));
    }

    @Test
    void aFailureNamesTheCommandLineExitCodeAndStderr() {
        CommandException e = assertThrows(CommandException.class, () -> runner.run(
                List.of("sh", "-c", "echo 'RTNETLINK answers: File exists' >&2; exit 2"), null, Duration.ofSeconds(10)));
        assertEquals("`sh -c echo 'RTNETLINK answers: File exists' >&2; exit 2` exited with 2: RTNETLINK answers: File exists",
                e.getMessage());
        assertEquals(2, e.exitCode());
    }

    @Test
    void aBatchFailureNamesTheFailingLine() {
        CommandException e = assertThrows(CommandException.class, () -> runner.run(
                List.of("sh", "-c", "cat >/dev/null; echo 'Error: bad' >&2; echo 'Command failed -:2' >&2; exit 1"),
                "link set lo up\naddr add 10.0.0.300/24 dev lo\n", Duration.ofSeconds(10)));
        assertTrue(e.getMessage().endsWith("Command failed -:2 (line 2: addr add 10.0.0.300/24 dev lo)"), e.getMessage());
        assertEquals(2, ProcessRunner.failedBatchLine(e));
    }

    @Test
    void aCommandOverItsDeadlineIsKilled() {
        long start = System.nanoTime();
        CommandException e = assertThrows(CommandException.class,
                () -> runner.run(List.of("sh", "-c", "sleep 30; true"), null, Duration.ofMillis(300)));
        assertTrue(e.getMessage().contains("did not end within 300 ms (killed)"), e.getMessage());
        assertTrue(System.nanoTime() - start < 10_000_000_000L);
    }

    @Test
    void aMissingProgramCannotStart() {
        CommandException e = assertThrows(CommandException.class,
                () -> runner.run(List.of("/nonexistent/ovnk-tool", "x"), null, Duration.ofSeconds(5)));
        assertTrue(e.getMessage().startsWith("`/nonexistent/ovnk-tool x` cannot start"), e.getMessage());
    }
}
