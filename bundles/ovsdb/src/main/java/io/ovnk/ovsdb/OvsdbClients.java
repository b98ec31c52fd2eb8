package io.ovnk.ovsdb;

import io.ovnk.ovsdb.internal.Client;

/** Creates clients without OSGi (tests, benchmarks, tools); inside OSGi the connection service does it. */
public final class OvsdbClients {

    private OvsdbClients() {
    }

    /** A client that starts connecting at once; see {@link OvsdbClient#connected()}. */
    public static OvsdbClient connect(OvsdbClientConfig config) {
        return new Client(config);
    }
}
