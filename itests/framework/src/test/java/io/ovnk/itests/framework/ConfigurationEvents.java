package io.ovnk.itests.framework;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;

/** Config Admin's events as a queue, so tests wait for a change instead of sleeping. */
final class ConfigurationEvents implements ConfigurationListener, AutoCloseable {

    private final BlockingQueue<ConfigurationEvent> events = new LinkedBlockingQueue<>();
    private final ServiceRegistration<ConfigurationListener> registration;

    ConfigurationEvents(BundleContext context) {
        registration = context.registerService(ConfigurationListener.class, this, null);
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        events.add(event);
    }

    /** Waits for the next event of the given type for the given PID; other events are passed over. */
    ConfigurationEvent await(String pid, int type, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            ConfigurationEvent event = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
            if (event == null) {
                throw new AssertionError("no " + (type == ConfigurationEvent.CM_DELETED ? "deletion" : "update")
                        + " of " + pid + " within " + timeoutMillis + " ms");
            }
            if (event.getPid().equals(pid) && event.getType() == type) {
                return event;
            }
        }
    }

    @Override
    public void close() {
        registration.unregister();
    }
}
