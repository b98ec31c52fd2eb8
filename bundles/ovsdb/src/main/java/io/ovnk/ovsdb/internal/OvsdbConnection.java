package io.ovnk.ovsdb.internal;

import io.ovnk.ovsdb.Cache;
import io.ovnk.ovsdb.DatabaseSchema;
import io.ovnk.ovsdb.LockListener;
import io.ovnk.ovsdb.Operation;
import io.ovnk.ovsdb.OvsdbClient;
import io.ovnk.ovsdb.OvsdbClientConfig;
import io.ovnk.ovsdb.Remote;
import io.ovnk.ovsdb.TableMonitor;
import io.ovnk.ovsdb.TlsFiles;
import io.ovnk.ovsdb.TransactionResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OVSDB connection per factory configuration of {@code io.ovnk.ovsdb.connection}, published as an
 * {@link OvsdbClient} service whose {@code database} property lets consumers pick theirs:
 * {@code @Reference(target = "(database=OVN_Northbound)")}. Connecting happens in the background, never on the
 * activating thread. Settings change live; a change that cannot be applied is logged and the running settings
 * stay.
 */
@Component(service = OvsdbClient.class, configurationPid = OvsdbConnection.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = OvsdbConnection.Config.class, factory = true)
public final class OvsdbConnection implements OvsdbClient {

    static final String PID = "io.ovnk.ovsdb.connection";

    @ObjectClassDefinition(name = "ovnk OVSDB connection", description = "A connection to one OVSDB database "
            + "(OVN_Northbound, OVN_Southbound or Open_vSwitch), one per factory configuration")
    public @interface Config {
        @AttributeDefinition(description = "The database: OVN_Northbound, OVN_Southbound, Open_vSwitch")
        String database();

        @AttributeDefinition(description = "Where it is served: tcp:HOST:PORT, ssl:HOST:PORT or unix:PATH, "
                + "comma-separated (tried in turn)")
        String remotes();

        @AttributeDefinition(description = "For ssl: remotes, the client's PEM private key file", required = false)
        String private_key() default "";

        @AttributeDefinition(description = "For ssl: remotes, the client's PEM certificate file", required = false)
        String certificate() default "";

        @AttributeDefinition(description = "For ssl: remotes, the PEM certificate of the CA that signed the "
                + "server's certificate", required = false)
        String ca_certificate() default "";

        @AttributeDefinition(description = "Default deadline of a request, connecting included (ms)", min = "1")
        long request_timeout_ms() default 30_000;

        @AttributeDefinition(description = "Deadline of one connection attempt (ms)", min = "1")
        long connect_timeout_ms() default 5_000;

        @AttributeDefinition(description = "Ask a silent server after this long, drop it after as long again "
                + "(ms); 0 disables", min = "0")
        long probe_interval_ms() default 5_000;

        @AttributeDefinition(description = "Longest pause between reconnection attempts (ms)", min = "1")
        long max_backoff_ms() default 8_000;

        @AttributeDefinition(description = "For clustered databases: stay on the leader")
        boolean leader_only() default false;

        @AttributeDefinition(description = "Largest message accepted from the server (bytes)", min = "1024")
        long max_frame_bytes() default 256L << 20;
    }

    private static final Logger LOG = LoggerFactory.getLogger(OvsdbConnection.class);

    private final Client client;
    private OvsdbClientConfig applied;

    @Activate
    public OvsdbConnection(Config config, @Reference(name = "metrics") OvsdbMetrics metrics) {
        this.applied = settings(config);
        this.client = new Client(applied, metrics);
        LOG.info("{}: connecting to {}", applied.database(), applied.remotes());
    }

    @Modified
    void modified(Config config) {
        OvsdbClientConfig next;
        try {
            next = settings(config);
            client.reconfigure(next);
        } catch (IllegalArgumentException e) {
            LOG.error("{} ({}): {}; the running settings stay", PID, applied.database(), e.getMessage());
            return;
        }
        applied = next;
    }

    @Deactivate
    void deactivate() {
        client.close();
        LOG.info("{}: connection closed", applied.database());
    }

    /** The configuration as client settings; an IllegalArgumentException names the field at fault. */
    static OvsdbClientConfig settings(Config config) {
        List<Remote> remotes;
        try {
            remotes = Remote.parseList(config.remotes() == null ? "" : config.remotes());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("remotes: " + e.getMessage(), e);
        }
        Optional<TlsFiles> tls = Optional.empty();
        boolean anyTls = !config.private_key().isBlank() || !config.certificate().isBlank()
                || !config.ca_certificate().isBlank();
        if (anyTls) {
            if (config.private_key().isBlank() || config.certificate().isBlank() || config.ca_certificate().isBlank()) {
                throw new IllegalArgumentException("private.key, certificate and ca.certificate: give all three or none");
            }
            tls = Optional.of(new TlsFiles(Path.of(config.private_key()), Path.of(config.certificate()),
                    Path.of(config.ca_certificate())));
        }
        return new OvsdbClientConfig(config.database(), remotes, tls, Duration.ofMillis(config.request_timeout_ms()),
                Duration.ofMillis(config.connect_timeout_ms()), Duration.ofMillis(config.probe_interval_ms()),
                Duration.ofMillis(config.max_backoff_ms()), config.leader_only(), config.max_frame_bytes());
    }

    // ---- the client, by delegation (the service object stays the same across live reconfiguration)

    @Override
    public String database() {
        return client.database();
    }

    @Override
    public State state() {
        return client.state();
    }

    @Override
    public Optional<Remote> remote() {
        return client.remote();
    }

    @Override
    public CompletableFuture<OvsdbClient> connected() {
        return client.connected().thenApply(c -> this);
    }

    @Override
    public DatabaseSchema schema() {
        return client.schema();
    }

    @Override
    public CompletableFuture<List<String>> listDatabases() {
        return client.listDatabases();
    }

    @Override
    public CompletableFuture<DatabaseSchema> getSchema(String database) {
        return client.getSchema(database);
    }

    @Override
    public CompletableFuture<TransactionResult> transact(Operation... operations) {
        return client.transact(operations);
    }

    @Override
    public CompletableFuture<TransactionResult> transact(List<Operation> operations, Duration timeout) {
        return client.transact(operations, timeout);
    }

    @Override
    public CompletableFuture<Void> echo() {
        return client.echo();
    }

    @Override
    public CompletableFuture<AutoCloseable> monitor(TableMonitor... tables) {
        return client.monitor(tables);
    }

    @Override
    public Cache cache() {
        return client.cache();
    }

    @Override
    public CompletableFuture<Boolean> lock(String lock) {
        return client.lock(lock);
    }

    @Override
    public CompletableFuture<Void> steal(String lock) {
        return client.steal(lock);
    }

    @Override
    public CompletableFuture<Void> unlock(String lock) {
        return client.unlock(lock);
    }

    @Override
    public boolean holds(String lock) {
        return client.holds(lock);
    }

    @Override
    public AutoCloseable listenLocks(LockListener listener) {
        return client.listenLocks(listener);
    }

    @Override
    public AutoCloseable listenState(Consumer<State> listener) {
        return client.listenState(listener);
    }

    @Override
    public long connections() {
        return client.connections();
    }

    /** The service's life is the component's: consumers cannot close it. */
    @Override
    public void close() {
        LOG.debug("{}: close() on the shared connection service ignored", applied.database());
    }
}
