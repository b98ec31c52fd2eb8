package io.ovnk.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.ovnk.kube.Informers;
import io.ovnk.kube.Lister;
import io.ovnk.kube.QueueStats;
import io.ovnk.kube.ResourceHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** The component's wiring and lifecycle, with a BundleContext and Informers standing in for the framework. */
class CniComponentTest {

    @TempDir
    Path dir;
    final List<Object> registered = new CopyOnWriteArrayList<>();
    final List<Object> unregistered = new CopyOnWriteArrayList<>();

    private CniComponent.Config config(Map<String, Object> values) {
        return (CniComponent.Config) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { CniComponent.Config.class }, (proxy, method, args) -> {
                    String key = method.getName();
                    if (values.containsKey(key)) {
                        return values.get(key);
                    }
                    return method.getDefaultValue();
                });
    }

    private Map<String, Object> values(String socket) {
        Map<String, Object> values = new HashMap<>();
        values.put("socket_path", dir.resolve(socket).toString());
        values.put("conf_dir", dir.resolve("net.d").toString());
        values.put("bin_dir", dir.resolve("bin").toString());
        values.put("annotation_timeout_ms", 200L);
        return values;
    }

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { BundleContext.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("registerService")) {
                        Object service = args[1];
                        registered.add(service);
                        return Proxy.newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] { ServiceRegistration.class }, (p, m, a) -> {
                                    if (m.getName().equals("unregister")) {
                                        unregistered.add(service);
                                    }
                                    return null;
                                });
                    }
                    if (method.getName().equals("getBundle")) {
                        // the system bundle, asked whether the framework is stopping: it runs
                        return Proxy.newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] { org.osgi.framework.Bundle.class }, (p, m, a) -> {
                                    if (m.getName().equals("getState")) {
                                        return org.osgi.framework.Bundle.ACTIVE;
                                    }
                                    throw new UnsupportedOperationException(m.getName());
                                });
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private final Informers informers = new Informers() {
        @SuppressWarnings("unchecked")
        @Override
        public <T extends HasMetadata> Lister<T> lister(Class<T> type) {
            return (Lister<T>) new PodWaiterTest.MapLister();
        }

        @Override
        public List<QueueStats> queues() {
            return List.of();
        }
    };

    private static String status(Path socket) throws Exception {
        String body = new String(Requests.of("STATUS").body(), java.nio.charset.StandardCharsets.UTF_8);
        return UnixHttpServerTest.exchange(socket, UnixHttpServerTest.post(body));
    }

    @Test
    void activationListensInstallsAndFollowsPods() throws Exception {
        CniComponent component = new CniComponent(context(), config(values("run/a.sock")), informers);
        try {
            Path socket = dir.resolve("run/a.sock");
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(socket));
            assertTrue(Files.isExecutable(dir.resolve("bin/ovn-k8s-cni-overlay")));
            assertTrue(Files.readString(dir.resolve("net.d/10-ovn-kubernetes.conflist")).contains(socket.toString()));
            assertTrue(registered.get(0) instanceof ResourceHandler<?> handler
                    && handler.resourceType() == io.fabric8.kubernetes.api.model.Pod.class);
            assertTrue(status(socket).contains("\"code\":50"), "no mode yet");
            RecordingPlumber plumber = new RecordingPlumber();
            component.bindPlumber(plumber);
            assertTrue(status(socket).startsWith("HTTP/1.1 200 "));
            component.unbindPlumber(new RecordingPlumber());
            assertTrue(status(socket).startsWith("HTTP/1.1 200 "), "another plumber's unbind changes nothing");
            component.unbindPlumber(plumber);
            assertTrue(status(socket).contains("no network mode is running"));
        } finally {
            component.deactivate();
        }
    }

    @Test
    void changedSocketPathMovesTheServerAndRewritesTheConfigurationList() throws Exception {
        CniComponent component = new CniComponent(context(), config(values("run/a.sock")), informers);
        try {
            component.modified(config(values("run/b.sock")));
            assertFalse(Files.exists(dir.resolve("run/a.sock")));
            assertTrue(status(dir.resolve("run/b.sock")).contains("\"code\":50"));
            assertTrue(Files.readString(dir.resolve("net.d/10-ovn-kubernetes.conflist")).contains("run/b.sock"));
            Map<String, Object> moreWorkers = values("run/b.sock");
            moreWorkers.put("workers", 2);
            component.modified(config(moreWorkers));
            assertTrue(status(dir.resolve("run/b.sock")).contains("\"code\":50"), "the same server goes on");
        } finally {
            component.deactivate();
        }
    }

    @Test
    void deactivationRemovesTheSocketAndKeepsTheFilesForKubelet() throws Exception {
        CniComponent component = new CniComponent(context(), config(values("run/a.sock")), informers);
        component.deactivate();
        assertFalse(Files.exists(dir.resolve("run/a.sock")));
        assertTrue(Files.exists(dir.resolve("bin/ovn-k8s-cni-overlay")));
        assertTrue(Files.exists(dir.resolve("net.d/10-ovn-kubernetes.conflist")));
        assertEquals(registered, unregistered, "the pod handler is withdrawn");
    }

    @Test
    void socketPathHeldByAnotherFileLeavesTheComponentRunningWithoutInstalling() throws Exception {
        Files.createDirectories(dir.resolve("run"),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        Files.writeString(dir.resolve("run/a.sock"), "not a socket");
        CniComponent component = new CniComponent(context(), config(values("run/a.sock")), informers);
        try {
            assertEquals("not a socket", Files.readString(dir.resolve("run/a.sock")));
            assertFalse(Files.exists(dir.resolve("net.d/10-ovn-kubernetes.conflist")),
                    "kubelet is not told of a network that nobody serves");
            component.modified(config(values("run/b.sock")));
            assertTrue(status(dir.resolve("run/b.sock")).contains("\"code\":50"), "a new path is tried");
        } finally {
            component.deactivate();
        }
    }
}
