package io.ovnk.ovsdb.internal;

/** What a {@link Client} tells about itself as it works (metrics); called on the client's threads, must not block. */
public interface ClientObserver {

    ClientObserver NONE = new ClientObserver() {
        @Override
        public void transaction(String database, long nanos, Throwable failure) {
        }

        @Override
        public void reconnected(String database) {
        }
    };

    /**
     * A transaction completed, from the call to its outcome (a wait for a connection included).
     *
     * @param failure null on success
     */
    void transaction(String database, long nanos, Throwable failure);

    /** A connection was set up again after the first one was lost. */
    void reconnected(String database);
}
