package io.ovnk.launcher.flags;

import java.util.List;

/**
 * A command-line flag {@code bin/ovnkube} understands: the seed's ovnkube flags and the current ovn-kubernetes
 * spellings that have an ovnk target.
 *
 * @param name the name without dashes ({@code cluster-subnets})
 * @param aliases other spellings of the same flag ({@code cluster-subnet})
 * @param argument what the value looks like in {@code --help} ({@code CIDR[/HOSTPREFIX],...}); null for a
 *        boolean flag, given bare or as {@code -flag=true|false}
 * @param defaultText what applies when the flag is not given
 * @param mapsTo where the value goes, for {@code --help}
 */
public record Flag(String name, List<String> aliases, String argument, String defaultText, String mapsTo) {

    public Flag {
        aliases = List.copyOf(aliases);
    }

    public boolean isBoolean() {
        return argument == null;
    }

    /** The name and the aliases. */
    public List<String> spellings() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(name), aliases.stream()).toList();
    }

    /**
     * One occurrence on the command line.
     *
     * @param written the flag as the user wrote it, dashes included ({@code -cluster-subnet}): error messages and
     *        origins name it so
     * @param value the value; {@code "true"} for a bare boolean flag
     */
    public record Given(Flag flag, String written, String value) {
    }
}
