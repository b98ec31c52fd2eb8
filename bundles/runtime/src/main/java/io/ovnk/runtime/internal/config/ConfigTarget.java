package io.ovnk.runtime.internal.config;

import java.util.regex.Pattern;

/**
 * Which configuration a file or a feature entry addresses: a singleton PID ({@code io.ovnk.ipam}) or a
 * named factory configuration ({@code io.ovnk.ovsdb.connection~nb}), as Config Admin 1.6 names them.
 */
public record ConfigTarget(String factoryPid, String pid, String name) {

    /** PIDs are dotted names; a factory name may also hold dashes. Anything else is a typo or an attack. */
    private static final Pattern PID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]*");

    public static ConfigTarget singleton(String pid) {
        return new ConfigTarget(null, pid, null);
    }

    public static ConfigTarget factory(String factoryPid, String name) {
        return new ConfigTarget(factoryPid, factoryPid + "~" + name, name);
    }

    /**
     * Parses {@code pid} or {@code factoryPid~name}.
     *
     * @throws IllegalArgumentException naming what is wrong with the id
     */
    public static ConfigTarget parse(String id) {
        int tilde = id.indexOf('~');
        if (tilde < 0) {
            requireValid(id, "PID");
            return singleton(id);
        }
        String factoryPid = id.substring(0, tilde);
        String name = id.substring(tilde + 1);
        requireValid(factoryPid, "factory PID");
        requireValid(name, "factory configuration name");
        return factory(factoryPid, name);
    }

    private static void requireValid(String value, String what) {
        if (!PID.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " \"" + value + "\" is not valid (letters, digits, '.', '_', '-')");
        }
    }

    public boolean isFactory() {
        return factoryPid != null;
    }

    /** The PID whose metatype describes this configuration. */
    public String schemaPid() {
        return isFactory() ? factoryPid : pid;
    }

    @Override
    public String toString() {
        return pid;
    }
}
