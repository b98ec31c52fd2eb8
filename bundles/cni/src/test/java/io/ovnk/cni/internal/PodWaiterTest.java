package io.ovnk.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.ovnk.cni.internal.CniRequest.PodRef;
import io.ovnk.kube.Lister;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The wait for a pod's network, driven by handler calls as the informers make them, over an in-memory cache. */
class PodWaiterTest {

    static final PodRef REF = new PodRef("default", "web-1", "uid-new");

    /** An informer cache as a map, kept in step with the handler calls the tests make. */
    static final class MapLister implements Lister<Pod> {
        final Map<String, Pod> pods = new ConcurrentHashMap<>();

        @Override
        public Optional<Pod> get(String namespace, String name) {
            return Optional.ofNullable(pods.get(namespace + "/" + name));
        }

        @Override
        public List<Pod> list() {
            return List.copyOf(pods.values());
        }

        @Override
        public List<Pod> list(String namespace) {
            return list().stream().filter(pod -> pod.getMetadata().getNamespace().equals(namespace)).toList();
        }

        @Override
        public boolean hasSynced() {
            return true;
        }

        @Override
        public CompletionStage<Void> synced() {
            return CompletableFuture.completedFuture(null);
        }
    }

    final MapLister cache = new MapLister();
    final CountDownLatch waiting = new CountDownLatch(1);
    final PodWaiter waiter = new PodWaiter(cache, message -> waiting.countDown());
    final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws Exception {
        waiter.close();
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
    }

    private void arrives(Pod pod) {
        cache.pods.put(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(), pod);
        waiter.added(pod);
    }

    private void leaves(Pod pod) {
        cache.pods.remove(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
        waiter.deleted(pod);
    }

    private CompletableFuture<PodWaiter.Networked> await(Duration timeout) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return waiter.await(REF, timeout);
            } catch (CniException e) {
                throw new java.util.concurrent.CompletionException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.util.concurrent.CompletionException(e);
            }
        }, threads);
    }

    private static CniException failure(CompletableFuture<PodWaiter.Networked> wait) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> wait.get(10, TimeUnit.SECONDS));
        return (CniException) e.getCause();
    }

    @Test
    void podInTheCacheWithItsNetworkIsAnsweredAtOnce() throws Exception {
        arrives(MockApi.pod("default", "web-1", "uid-new", CniServiceTest.NETWORK));
        assertEquals("0a:58:0a:80:00:05", waiter.await(REF, Duration.ofSeconds(10)).network().macAddress().toString());
        assertEquals(1, waiting.getCount(), "it never waited");
    }

    @Test
    void podCreatedAfterTheRequestArrivedEndsTheWait() throws Exception {
        CompletableFuture<PodWaiter.Networked> wait = await(Duration.ofSeconds(30));
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        arrives(MockApi.pod("default", "web-1", "uid-new", CniServiceTest.NETWORK));
        assertEquals("10.128.0.5/23", wait.get(10, TimeUnit.SECONDS).network().ipAddresses().get(0).toString());
        assertEquals(0, waiter.waiting());
    }

    @Test
    void recreatedPodEndsTheWaitOnceItsUidArrives() throws Exception {
        Pod old = MockApi.pod("default", "web-1", "uid-old", CniServiceTest.NETWORK);
        arrives(old);
        CompletableFuture<PodWaiter.Networked> wait = await(Duration.ofSeconds(30));
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        leaves(old);
        assertTrue(!wait.isDone(), "the old pod's deletion does not end the new sandbox's wait");
        arrives(MockApi.pod("default", "web-1", "uid-new", CniServiceTest.NETWORK));
        assertEquals("0a:58:0a:80:00:05", wait.get(10, TimeUnit.SECONDS).network().macAddress().toString());
    }

    @Test
    void deletionOfThePodEndsTheWaitAsAnUnknownContainer() throws Exception {
        Pod pod = MockApi.pod("default", "web-1", "uid-new", null);
        arrives(pod);
        CompletableFuture<PodWaiter.Networked> wait = await(Duration.ofSeconds(30));
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        leaves(pod);
        CniException e = failure(wait);
        assertEquals(CniException.UNKNOWN_CONTAINER, e.code());
        assertEquals("pod default/web-1: deleted while its sandbox was being set up", e.getMessage());
    }

    @Test
    void annotationWithoutADefaultNetworkKeepsWaitingUntilTimeout() {
        arrives(MockApi.pod("default", "web-1", "uid-new", "{}"));
        CniException e = failure(await(Duration.ofMillis(200)));
        assertEquals(CniException.TRY_AGAIN_LATER, e.code());
        assertTrue(e.getMessage().contains("no annotation k8s.ovn.org/pod-networks with a default network"),
                e.getMessage());
    }

    @Test
    void closingEndsEveryWaitWithTryAgainLater() throws Exception {
        CompletableFuture<PodWaiter.Networked> wait = await(Duration.ofSeconds(30));
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        waiter.close();
        CniException e = failure(wait);
        assertEquals(CniException.TRY_AGAIN_LATER, e.code());
        assertEquals("the ovnk CNI server is stopping", e.getMessage());
    }

    @Test
    void podsOfOtherNamesDoNotEndTheWait() throws Exception {
        CompletableFuture<PodWaiter.Networked> wait = await(Duration.ofSeconds(30));
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        arrives(MockApi.pod("default", "web-2", "uid-new", CniServiceTest.NETWORK));
        arrives(MockApi.pod("other", "web-1", "uid-new", CniServiceTest.NETWORK));
        assertTrue(!wait.isDone());
        arrives(MockApi.pod("default", "web-1", "uid-new", CniServiceTest.NETWORK));
        assertEquals("0a:58:0a:80:00:05", wait.get(10, TimeUnit.SECONDS).network().macAddress().toString());
    }
}
