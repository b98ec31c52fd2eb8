package io.ovnk.gateway.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class CleanupCommandTest {

    private final List<String> calls = new ArrayList<>();

    /** A switch that records its calls; {@code enabled} is the master's state, {@code failure} what disable throws. */
    private final class FakeSwitch implements CleanupCommand.MasterSwitch {
        boolean enabled = true;
        Exception failure;

        @Override
        public boolean disable() throws Exception {
            calls.add("disable");
            if (failure != null) {
                throw failure;
            }
            boolean was = enabled;
            enabled = false;
            return was;
        }

        @Override
        public boolean enable() {
            calls.add("enable");
            boolean was = enabled;
            enabled = true;
            return !was;
        }
    }

    private Optional<Supplier<List<String>>> remover(List<String> rows) {
        return Optional.of(() -> {
            calls.add("remove");
            return rows;
        });
    }

    @Test
    void cleanupStopsTheMasterBeforeRemovingAndSaysHowToEnableIt() {
        FakeSwitch master = new FakeSwitch();
        String out = new CleanupCommand(master, remover(List.of("Logical_Router GR_a (a)", "Logical_Switch ext_a (a)")))
                .cleanup();
        assertEquals(List.of("disable", "remove"), calls);
        assertTrue(out.startsWith("removed Logical_Router GR_a (a)\nremoved Logical_Switch ext_a (a)\n2 gateway rows "
                + "removed; the gateway master of this process is stopped and disabled. gateway:enable starts it again"),
                out);
        assertTrue(!master.enabled);
    }

    @Test
    void cleanupAgainFindsTheMasterDisabledAndRemovesWhatIsLeft() {
        FakeSwitch master = new FakeSwitch();
        master.enabled = false;
        String out = new CleanupCommand(master, remover(List.of())).cleanup();
        assertEquals(List.of("disable", "remove"), calls);
        assertTrue(out.startsWith("0 gateway rows removed; the gateway master of this process was already disabled."),
                out);
    }

    @Test
    void masterThatCannotBeStoppedMeansNothingIsRemoved() {
        FakeSwitch master = new FakeSwitch();
        master.failure = new java.util.concurrent.ExecutionException(new IllegalStateException("SCR is gone"));
        String out = new CleanupCommand(master, remover(List.of("Logical_Router GR_a (a)"))).cleanup();
        assertEquals(List.of("disable"), calls);
        assertEquals("the gateway master could not be stopped (SCR is gone): nothing removed", out);
    }

    @Test
    void failedRemovalSaysTheMasterIsDisabledAndToRunAgain() {
        FakeSwitch master = new FakeSwitch();
        String out = new CleanupCommand(master, Optional.of(() -> {
            throw new IllegalStateException("Northbound transaction: no answer within 60000 ms");
        })).cleanup();
        assertTrue(out.startsWith("the gateway master of this process is stopped and disabled, but removing the gateway "
                + "rows failed (Northbound transaction: no answer within 60000 ms): run gateway:cleanup again. "
                + "gateway:enable starts it again"), out);
    }

    @Test
    void withoutANorthboundNothingIsTouched() {
        FakeSwitch master = new FakeSwitch();
        String out = new CleanupCommand(master, Optional.empty()).cleanup();
        assertEquals(List.of(), calls);
        assertTrue(master.enabled);
        assertTrue(out.startsWith("no OVN_Northbound connection in this process"), out);
    }

    @Test
    void enableSaysWhetherItChangedAnything() {
        FakeSwitch master = new FakeSwitch();
        master.enabled = false;
        CleanupCommand command = new CleanupCommand(master, Optional.empty());
        assertTrue(command.enable().startsWith("the gateway master of this process is enabled"));
        assertEquals("the gateway master of this process was already enabled", command.enable());
        assertEquals(List.of("enable", "enable"), calls);
    }
}
