package io.ovnk.kube.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.ovnk.kube.Informers;
import io.ovnk.kube.Lister;
import io.ovnk.kube.QueueStats;
import io.ovnk.kube.ResourceHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shared informer per kind, started at the first handler or lister, fanning each change out to the work
 * queues of that kind's handlers. Plain Java: the component wires it; tests build it with {@code new}.
 */
public final class InformerHub implements Informers, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InformerHub.class);

    /** What the hub needs to know: resync period, the node whose pods to watch (null: all), queue behaviour. */
    public record Settings(Duration resync, String podNode, Backoff backoff, int defaultWorkers) {
        public Settings {
            if (resync.isNegative()) {
                throw new IllegalArgumentException("resync period must not be negative: " + resync);
            }
            if (podNode != null && podNode.isBlank()) {
                podNode = null;
            }
        }

        public static Settings defaults() {
            return new Settings(Duration.ZERO, null, new Backoff(Duration.ofMillis(5), Duration.ofSeconds(60)), 2);
        }

        public Settings withRetry(Duration base, Duration max) {
            return new Settings(resync, podNode, new Backoff(base, max), defaultWorkers);
        }

        public Settings withPodNode(String node) {
            return new Settings(resync, node, backoff, defaultWorkers);
        }
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final ScheduledExecutorService timer;
    private final Map<Class<?>, Kind<?>> kinds = new ConcurrentHashMap<>();
    private final Map<ResourceHandler<?>, KeyedQueue<?>> queues = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public InformerHub(KubernetesClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ovnk-kube-retry");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** One kind's informer, its handlers' queues, and the lister over its cache. */
    private final class Kind<T extends HasMetadata> implements ResourceEventHandler<T>, Lister<T> {
        final Class<T> type;
        final SharedIndexInformer<T> informer;
        /** Guards the fan-out list against a queue being seeded while events arrive. */
        final ReentrantLock lock = new ReentrantLock();
        final List<KeyedQueue<T>> subscribers = new CopyOnWriteArrayList<>();
        final java.util.concurrent.CompletableFuture<Void> started;

        Kind(Class<T> type) {
            this.type = type;
            this.informer = informable(type).runnableInformer(settings.resync().toMillis());
            informer.addEventHandler(this);
            long start = System.nanoTime();
            this.started = informer.start().toCompletableFuture();
            started.whenComplete((ignored, failure) -> {
                if (failure != null && closed) {
                    LOG.debug("informer {}: closed before it synced", type.getSimpleName());
                } else if (failure != null) {
                    LOG.error("informer {}: could not start: {}", type.getSimpleName(), failure.toString());
                } else {
                    LOG.info("informer {}: synced {} objects in {} ms", type.getSimpleName(),
                            informer.getStore().list().size(), (System.nanoTime() - start) / 1_000_000);
                }
            });
        }

        void subscribe(KeyedQueue<T> queue) {
            lock.lock();
            try {
                subscribers.add(queue);
                // what exists already, as adds; what changes from now on arrives through the events below
                for (T resource : informer.getStore().list()) {
                    if (wanted(resource)) {
                        queue.offer(resource, false);
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        void unsubscribe(KeyedQueue<?> queue) {
            subscribers.remove(queue);
        }

        @Override
        public void onAdd(T resource) {
            fanOut(resource, false);
        }

        @Override
        public void onUpdate(T previous, T current) {
            fanOut(current, false);
        }

        @Override
        public void onDelete(T resource, boolean finalStateUnknown) {
            fanOut(resource, true);
        }

        private void fanOut(T resource, boolean deleted) {
            if (!wanted(resource)) {
                return;
            }
            lock.lock();
            try {
                for (KeyedQueue<T> queue : subscribers) {
                    queue.offer(resource, deleted);
                }
            } finally {
                lock.unlock();
            }
        }

        /**
         * The server already filters a node process's pods by {@code spec.nodeName}; this second look keeps a
         * server or proxy that ignores field selectors from handing this node other nodes' pods.
         */
        private boolean wanted(T resource) {
            return settings.podNode() == null || !(resource instanceof Pod pod)
                    || settings.podNode().equals(pod.getSpec() == null ? null : pod.getSpec().getNodeName());
        }

        @Override
        public Optional<T> get(String namespace, String name) {
            String key = namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
            return Optional.ofNullable(informer.getStore().getByKey(key));
        }

        @Override
        public List<T> list() {
            return informer.getStore().list();
        }

        @Override
        public List<T> list(String namespace) {
            return informer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
        }

        @Override
        public boolean hasSynced() {
            return informer.hasSynced();
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> synced() {
            return started.copy();
        }
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private <T extends HasMetadata> Informable<T> informable(Class<T> type) {
        if (type == Pod.class && settings.podNode() != null) {
            // a node-role process needs the pods of its own node only
            return (Informable<T>) (Informable) client.pods().inAnyNamespace().withField("spec.nodeName",
                    settings.podNode());
        }
        MixedOperation<T, KubernetesResourceList<T>, Resource<T>> resources = Kinds.resources(client, type);
        return Namespaced.class.isAssignableFrom(type) ? resources.inAnyNamespace() : resources;
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> Kind<T> kind(Class<T> type) {
        if (closed) {
            throw new IllegalStateException("the informers are closed");
        }
        return (Kind<T>) kinds.computeIfAbsent(type, t -> new Kind<>(type));
    }

    @Override
    public <T extends HasMetadata> Lister<T> lister(Class<T> type) {
        return kind(type);
    }

    /** Starts feeding a handler: its own queue and workers, then every existing object and every change. */
    public <T extends HasMetadata> void addHandler(ResourceHandler<T> handler, String name, int workers) {
        Class<T> type = handler.resourceType();
        if (type == null) {
            throw new IllegalArgumentException("resourceType() returned null");
        }
        Kind<T> kind = kind(type);
        KeyedQueue<T> queue = new KeyedQueue<>(name, handler, workers > 0 ? workers : settings.defaultWorkers(),
                settings.backoff(), timer);
        if (queues.putIfAbsent(handler, queue) != null) {
            throw new IllegalStateException(name + " is registered already");
        }
        queue.start();
        kind.subscribe(queue);
        LOG.info("handler {}: following {} with {} workers", name, handler.resourceType().getSimpleName(),
                queue.stats().workers());
    }

    public void removeHandler(ResourceHandler<?> handler) {
        KeyedQueue<?> queue = queues.remove(handler);
        if (queue == null) {
            return;
        }
        Kind<?> kind = kinds.get(handler.resourceType());
        if (kind != null) {
            kind.unsubscribe(queue);
        }
        stopQuietly(queue);
        LOG.info("handler {}: stopped", queue.name());
    }

    @Override
    public List<QueueStats> queues() {
        List<QueueStats> stats = new ArrayList<>();
        queues.values().forEach(queue -> stats.add(queue.stats()));
        stats.sort(java.util.Comparator.comparing(QueueStats::handler));
        return stats;
    }

    @Override
    public void close() {
        closed = true;
        queues.values().forEach(InformerHub::stopQuietly);
        queues.clear();
        kinds.values().forEach(kind -> kind.informer.stop());
        kinds.clear();
        timer.shutdownNow();
    }

    private static void stopQuietly(KeyedQueue<?> queue) {
        try {
            queue.stop(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
