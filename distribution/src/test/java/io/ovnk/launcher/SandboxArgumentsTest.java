package io.ovnk.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code ovnkube sandbox --nodes N}: taken out of the arguments before ovnkube's own flags are parsed. */
class SandboxArgumentsTest {

    @Test
    void withoutTheFlagOneNodeAndEveryArgumentStays() throws LaunchException {
        Sandbox.Arguments parsed = Sandbox.arguments(List.of("-loglevel=5", "--nodeport"));
        assertEquals(1, parsed.nodes());
        assertEquals(List.of("-loglevel=5", "--nodeport"), parsed.rest());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "--nodes|2", "-nodes|3", "--nodes=4|", "-nodes=1|" })
    void everySpellingIsTakenOutAndTheRestIsLeftForOvnkube(String flag, String value) throws LaunchException {
        List<String> arguments = value == null ? List.of("-loglevel=5", flag, "--nodeport")
                : List.of("-loglevel=5", flag, value, "--nodeport");
        Sandbox.Arguments parsed = Sandbox.arguments(arguments);
        assertEquals(Integer.parseInt(value == null ? flag.substring(flag.indexOf('=') + 1) : value), parsed.nodes());
        assertEquals(List.of("-loglevel=5", "--nodeport"), parsed.rest());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--nodes=0     | flag --nodes: \"0\" is not a number of nodes from 1 to 4",
        "--nodes=5     | flag --nodes: \"5\" is not a number of nodes from 1 to 4",
        "--nodes=two   | flag --nodes: \"two\" is not a number of nodes from 1 to 4",
        "--nodes=      | flag --nodes: \"\" is not a number of nodes from 1 to 4",
        "--nodes       | flag --nodes: needs a value: the number of nodes, 1-4" })
    void aBadCountNamesTheFlagAndTheAllowedRange(String argument, String message) {
        LaunchException e = assertThrows(LaunchException.class, () -> Sandbox.arguments(List.of(argument)));
        assertEquals(message, e.getMessage());
    }
}
