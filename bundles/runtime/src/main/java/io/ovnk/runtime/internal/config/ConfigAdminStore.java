package io.ovnk.runtime.internal.config;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** {@link ConfigurationSync.Store} on Config Admin. Location "?" binds a configuration to whoever asks for it. */
final class ConfigAdminStore implements ConfigurationSync.Store {

    private final ConfigurationAdmin configAdmin;

    ConfigAdminStore(ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    @Override
    public boolean put(ConfigTarget target, Map<String, Object> properties) throws IOException {
        Configuration configuration = target.isFactory()
                ? configAdmin.getFactoryConfiguration(target.factoryPid(), target.name(), "?")
                : configAdmin.getConfiguration(target.pid(), "?");
        Dictionary<String, Object> dictionary = new Hashtable<>(properties);
        return configuration.updateIfDifferent(dictionary);
    }

    @Override
    public boolean delete(ConfigTarget target) throws IOException {
        Configuration[] found = list(target);
        if (found == null) {
            return false;
        }
        for (Configuration configuration : found) {
            configuration.delete();
        }
        return true;
    }

    @Override
    public boolean exists(ConfigTarget target) throws IOException {
        return list(target) != null;
    }

    private Configuration[] list(ConfigTarget target) throws IOException {
        try {
            // PIDs were checked against [A-Za-z0-9_.~-] by ConfigTarget, so they need no filter escaping
            return configAdmin.listConfigurations("(service.pid=" + target.pid() + ")");
        } catch (InvalidSyntaxException e) {
            throw new IOException("cannot look up " + target + ": " + e.getMessage(), e);
        }
    }
}
