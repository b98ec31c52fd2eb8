package io.ovnk.itests.framework;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/** The platform and core features, as bin/ovnkube starts them: everything runs, and configuration flows live. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT {

    private static final long TIMEOUT = 10_000;

    @Inject
    BundleContext context;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() throws Exception {
        Path defaults = Path.of(System.getProperty("ovnk.test.resources"), "test-defaults.json");
        return Provisioning.features(List.of("platform", "core"), List.of(defaults));
    }

    @Test
    public void everyBundleOfThePlatformAndCoreFeaturesIsActive() {
        List<String> notActive = new ArrayList<>();
        Set<String> ours = new TreeSet<>();
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (bundle.getState() != expected) {
                notActive.add(bundle.getSymbolicName() + " is in state " + bundle.getState());
            }
            if (bundle.getSymbolicName().startsWith("io.ovnk.")) {
                ours.add(bundle.getSymbolicName());
            }
        }
        assertEquals(List.of(), notActive);
        assertEquals(Set.of("io.ovnk.fabric8-client", "io.ovnk.fabric8-model-core-fragment", "io.ovnk.runtime",
                "io.ovnk.ovsdb", "io.ovnk.ovn-model", "io.ovnk.ipam", "io.ovnk.kube", "io.ovnk.network-api",
                "io.ovnk.shell", "io.ovnk.metrics-api", "io.ovnk.metrics"), ours);
    }

    @Test
    public void everyComponentOfTheFeaturesIsSatisfiedWithTheDefaultConfiguration() {
        List<String> problems = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            names.add(description.name);
            if (!scr.isComponentEnabled(description)) {
                problems.add(description.name + " is disabled");
                continue;
            }
            for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                if (waitsOnlyForTheKubernetesClient(configuration)) {
                    continue; // io.ovnk.kube is not configured here: no client, by design
                }
                if (configuration.state != ComponentConfigurationDTO.ACTIVE
                        && configuration.state != ComponentConfigurationDTO.SATISFIED) {
                    problems.add(description.name + " is in state " + configuration.state
                            + (configuration.failure != null ? ": " + configuration.failure : ""));
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(names.toString(), names.containsAll(Set.of(
                "io.ovnk.runtime.internal.config.EtcConfiguration",
                "io.ovnk.runtime.internal.lifecycle.LifecycleLog",
                "io.ovnk.runtime.internal.lifecycle.DeployLog",
                "io.ovnk.runtime.internal.launcher.LauncherSettings")));
    }

    /** Unsatisfied, and the only missing reference is the KubernetesClient that io.ovnk.kube would provide. */
    private static boolean waitsOnlyForTheKubernetesClient(ComponentConfigurationDTO configuration) {
        return configuration.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE
                && configuration.unsatisfiedReferences.length == 1
                && java.util.Arrays.stream(configuration.description.references)
                        .anyMatch(reference -> reference.name.equals(configuration.unsatisfiedReferences[0].name)
                                && reference.interfaceName.equals("io.fabric8.kubernetes.client.KubernetesClient"));
    }

    @Test
    public void featureDefaultsAreAppliedAndAnEtcFileOverridesThemUntilDeleted() throws Exception {
        try (ConfigurationEvents events = new ConfigurationEvents(context)) {
            Dictionary<String, Object> defaults = properties("org.example.defaults");
            if (defaults == null) {
                events.await("org.example.defaults", ConfigurationEvent.CM_UPDATED, TIMEOUT);
                defaults = properties("org.example.defaults");
            }
            assertEquals(42L, defaults.get("answer"));
            assertEquals("feature test-defaults", defaults.get(".ovnk.origin"));

            Path file = etc().resolve("org.example.defaults.cfg");
            Files.writeString(file, "answer = 43\n");
            events.await("org.example.defaults", ConfigurationEvent.CM_UPDATED, TIMEOUT);
            Dictionary<String, Object> overridden = properties("org.example.defaults");
            assertEquals("43", overridden.get("answer"));
            assertEquals("hello", overridden.get("greeting"));

            Files.delete(file);
            events.await("org.example.defaults", ConfigurationEvent.CM_UPDATED, TIMEOUT);
            assertEquals(42L, properties("org.example.defaults").get("answer"));
        }
    }

    @Test
    public void aConfigurationChangeThroughConfigAdminReachesItsComponent() throws Exception {
        // io.ovnk.runtime decides what happens to files with unknown keys; change it through Config Admin
        // and watch the EtcConfiguration component act on the new value
        try (ConfigurationEvents events = new ConfigurationEvents(context)) {
            org.osgi.service.cm.Configuration runtime = configAdmin.getConfiguration("io.ovnk.runtime", "?");
            runtime.update(new Hashtable<>(java.util.Map.of("unknown.keys", "reject")));
            events.await("io.ovnk.runtime", ConfigurationEvent.CM_UPDATED, TIMEOUT);

            // a typo in io.ovnk.launcher's file: rejected. The marker file after it is applied by the same
            // worker, so once the marker is there the typo file has been judged.
            Files.writeString(etc().resolve("io.ovnk.launcher.cfg"), "roles = master\nrols = node\n");
            Files.writeString(etc().resolve("org.example.marker1.cfg"), "seen = yes\n");
            events.await("org.example.marker1", ConfigurationEvent.CM_UPDATED, TIMEOUT);
            assertNull("rejected under unknown.keys=reject", properties("io.ovnk.launcher"));

            runtime.update(new Hashtable<>(java.util.Map.of("unknown.keys", "warn")));
            events.await("io.ovnk.launcher", ConfigurationEvent.CM_UPDATED, TIMEOUT);
            assertArrayEquals(new String[] { "master" }, (String[]) properties("io.ovnk.launcher").get("roles"));
        } finally {
            Files.deleteIfExists(etc().resolve("io.ovnk.launcher.cfg"));
            Files.deleteIfExists(etc().resolve("org.example.marker1.cfg"));
        }
    }

    @Test
    public void aMalformedFileLeavesThePreviousConfigurationInForce() throws Exception {
        try (ConfigurationEvents events = new ConfigurationEvents(context)) {
            Path file = etc().resolve("org.example.keep.cfg");
            Files.writeString(file, "value = first\n");
            events.await("org.example.keep", ConfigurationEvent.CM_UPDATED, TIMEOUT);

            Files.writeString(file, "value = \\u12zz\n");
            Files.writeString(etc().resolve("org.example.marker2.cfg"), "seen = yes\n");
            events.await("org.example.marker2", ConfigurationEvent.CM_UPDATED, TIMEOUT);
            assertEquals("first", properties("org.example.keep").get("value"));

            Files.delete(file);
            events.await("org.example.keep", ConfigurationEvent.CM_DELETED, TIMEOUT);
            assertNull(properties("org.example.keep"));
        }
    }

    @Test
    public void theRuntimeValidatesAgainstTheMetatypeOfItsOwnPid() throws Exception {
        try (ConfigurationEvents events = new ConfigurationEvents(context)) {
            org.osgi.service.cm.Configuration before = configAdmin.getConfiguration("io.ovnk.runtime", "?");
            Dictionary<String, Object> previous = before.getProperties();
            Files.writeString(etc().resolve("io.ovnk.runtime.cfg"), "max.file.bytes = lots\n");
            Files.writeString(etc().resolve("org.example.marker3.cfg"), "seen = yes\n");
            events.await("org.example.marker3", ConfigurationEvent.CM_UPDATED, TIMEOUT);
            Dictionary<String, Object> now = configAdmin.getConfiguration("io.ovnk.runtime", "?").getProperties();
            assertEquals(previous == null ? null : previous.get("max.file.bytes"),
                    now == null ? null : now.get("max.file.bytes"));
            assertFalse("lots".equals(now == null ? null : now.get("max.file.bytes")));
        } finally {
            Files.deleteIfExists(etc().resolve("io.ovnk.runtime.cfg"));
            Files.deleteIfExists(etc().resolve("org.example.marker3.cfg"));
        }
    }

    private Path etc() {
        String etc = context.getProperty("ovnk.etc");
        assertNotNull("ovnk.etc framework property", etc);
        return Path.of(etc);
    }

    private Dictionary<String, Object> properties(String pid) throws Exception {
        org.osgi.service.cm.Configuration[] found = configAdmin.listConfigurations("(service.pid=" + pid + ")");
        return found == null ? null : found[0].getProperties();
    }
}
