package io.ovnk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.shell.ComponentStatus;
import io.ovnk.shell.ComponentStatus.Verdict;
import io.ovnk.shell.HealthReport;
import io.ovnk.shell.Reason;
import io.ovnk.shell.internal.ComponentHealth.Component;
import io.ovnk.shell.internal.ComponentHealth.ServiceSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.osgi.framework.dto.BundleDTO;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

class ComponentHealthTest {

    private static final String CLIENT = "io.fabric8.kubernetes.client.KubernetesClient";
    private static final String OVSDB = "io.ovnk.ovsdb.OvsdbClient";
    private static final String LEADERSHIP = "io.ovnk.kube.Leadership";

    private final ComponentHealth health = new ComponentHealth(Map.of(
            CLIENT, new ServiceSource(List.of("io.ovnk.kube.internal.KubeClientComponent"), null),
            LEADERSHIP, new ServiceSource(List.of("io.ovnk.kube.internal.LeaderElectionComponent"), "while this process leads")),
            description -> description.bundle.symbolicName.startsWith("io.ovnk."));

    /** Config Admin with these PIDs configured; io.ovnk.ovsdb.connection is a factory PID. */
    private static ComponentHealth.Configurations configured(String... pids) {
        return new ComponentHealth.Configurations() {
            @Override
            public boolean exists(String pid) {
                return Set.of(pids).contains(pid);
            }

            @Override
            public boolean isFactory(long bundleId, String pid) {
                return pid.equals("io.ovnk.ovsdb.connection");
            }
        };
    }

    @Test
    public void aComponentWhosePidHasNoConfigurationIsNotConfiguredAndNamesThePid() {
        Component client = component("io.ovnk.kube", "io.ovnk.kube.internal.KubeClientComponent", "require",
                new String[] { "io.ovnk.kube" }, new String[0]);
        HealthReport report = health.evaluate(List.of(client), configured());

        ComponentStatus status = only(report);
        assertEquals(Verdict.NOT_CONFIGURED, status.verdict());
        assertEquals(-1, status.configurationId());
        Reason reason = status.reasons().get(0);
        assertEquals(Reason.Kind.MISSING_CONFIGURATION, reason.kind());
        assertEquals("io.ovnk.kube", reason.pid());
        assertEquals("needs configuration io.ovnk.kube (etc/io.ovnk.kube.cfg), which does not exist", reason.text());
        assertTrue(report.healthy(), "a component not meant to run here does not make the process unhealthy");
    }

    @Test
    public void aMissingFactoryConfigurationSaysHowToMakeOne() {
        Component connection = component("io.ovnk.ovsdb", "io.ovnk.ovsdb.internal.OvsdbConnection", "require",
                new String[] { "io.ovnk.ovsdb.connection" }, new String[] { OVSDB });
        Reason reason = only(health.evaluate(List.of(connection), configured())).reasons().get(0);
        assertEquals("needs configuration io.ovnk.ovsdb.connection (a factory PID: one configuration per instance, "
                + "e.g. etc/io.ovnk.ovsdb.connection~NAME.cfg)", reason.text());
    }

    @Test
    public void aWaitingComponentIsTracedToTheUnconfiguredComponentThatRegistersItsServiceByCode() {
        Component client = component("io.ovnk.kube", "io.ovnk.kube.internal.KubeClientComponent", "require",
                new String[] { "io.ovnk.kube" }, new String[0]);
        Component informers = component("io.ovnk.kube", "io.ovnk.kube.internal.InformersComponent", "optional",
                new String[] { "io.ovnk.kube.informers" }, new String[] { "io.ovnk.kube.Informers" },
                reference("client", CLIENT, null));
        informers = withConfiguration(informers, ComponentConfigurationDTO.UNSATISFIED_REFERENCE, 7,
                unsatisfied("client", null));

        HealthReport report = health.evaluate(List.of(client, informers), configured());

        assertFalse(report.healthy());
        ComponentStatus waiting = named(report, "io.ovnk.kube.internal.InformersComponent");
        assertEquals(Verdict.WAITING, waiting.verdict());
        assertEquals(7, waiting.configurationId());
        assertEquals("unsatisfied reference", waiting.scrState());
        Reason reason = waiting.reasons().get(0);
        assertEquals(Reason.Kind.UNSATISFIED_REFERENCE, reason.kind());
        assertEquals("client", reason.reference());
        assertEquals(CLIENT, reason.interfaceName());
        assertEquals("reference client to " + CLIENT + ": it comes from io.ovnk.kube.internal.KubeClientComponent, which "
                + "needs configuration io.ovnk.kube (etc/io.ovnk.kube.cfg), which does not exist", reason.text());
        assertEquals(List.of("io.ovnk.kube.internal.InformersComponent", "io.ovnk.kube.internal.KubeClientComponent"),
                report.notRunning().stream().map(ComponentStatus::name).toList(), "worst first");
    }

    @Test
    public void forAServiceRegisteredByCodeOnlyItsNamedSourceIsFollowedAndConstructorReferencesSayWhatTheyReferTo() {
        Component client = component("io.ovnk.kube", "io.ovnk.kube.internal.KubeClientComponent", "require",
                new String[] { "io.ovnk.kube" }, new String[0]);
        Component fabric8 = component("io.ovnk.fabric8-client", "io.fabric8.kubernetes.client.osgi.ManagedKubernetesClient",
                "require", new String[] { "io.fabric8.kubernetes.client" }, new String[] { CLIENT });
        Component annotator = withConfiguration(component("io.ovnk.kube", "io.ovnk.kube.internal.AnnotatorComponent",
                "optional", new String[] { "a" }, new String[0], reference("$000", CLIENT, null)),
                ComponentConfigurationDTO.UNSATISFIED_REFERENCE, 4, unsatisfied("$000", null));

        Reason reason = named(health.evaluate(List.of(client, fabric8, annotator), configured()),
                "io.ovnk.kube.internal.AnnotatorComponent").reasons().get(0);

        assertEquals("reference to " + CLIENT + ": it comes from io.ovnk.kube.internal.KubeClientComponent, which needs "
                + "configuration io.ovnk.kube (etc/io.ovnk.kube.cfg), which does not exist", reason.text());
        assertEquals("$000", reason.reference());
    }

    @Test
    public void aTargetThatNoRunningProviderMatchesIsNamed() {
        Component connection = withConfiguration(component("io.ovnk.ovsdb", "io.ovnk.ovsdb.internal.OvsdbConnection",
                "require", new String[] { "io.ovnk.ovsdb.connection" }, new String[] { OVSDB }),
                ComponentConfigurationDTO.ACTIVE, 3);
        Component master = withConfiguration(component("io.ovnk.master", "io.ovnk.master.internal.MasterComponent",
                "optional", new String[] { "io.ovnk.master" }, new String[0],
                reference("northbound", OVSDB, "(database=OVN_Northbound)")), ComponentConfigurationDTO.UNSATISFIED_REFERENCE,
                9, unsatisfied("northbound", "(database=OVN_Northbound)"));

        ComponentStatus status = named(health.evaluate(List.of(connection, master), configured("io.ovnk.ovsdb.connection")),
                "io.ovnk.master.internal.MasterComponent");

        assertEquals(Verdict.WAITING, status.verdict());
        assertEquals("(database=OVN_Northbound)", status.reasons().get(0).target());
        assertEquals("reference northbound to " + OVSDB + " (database=OVN_Northbound): io.ovnk.ovsdb.internal.OvsdbConnection "
                + "runs, but none of its services matches (database=OVN_Northbound); a configuration "
                + "io.ovnk.ovsdb.connection with those properties would provide one, and there is none",
                status.reasons().get(0).text());
    }

    @Test
    public void waitingOnlyForLeadershipWhileTheElectionRunsIsStandby() {
        Component election = withConfiguration(component("io.ovnk.kube", "io.ovnk.kube.internal.LeaderElectionComponent",
                "require", new String[] { "io.ovnk.kube.leader" }, new String[0]), ComponentConfigurationDTO.ACTIVE, 4);
        Component master = withConfiguration(component("io.ovnk.master", "io.ovnk.master.internal.MasterComponent",
                "optional", new String[] { "io.ovnk.master" }, new String[0], reference("leadership", LEADERSHIP, null)),
                ComponentConfigurationDTO.UNSATISFIED_REFERENCE, 9, unsatisfied("leadership", null));

        HealthReport report = health.evaluate(List.of(election, master), configured("io.ovnk.kube.leader"));

        ComponentStatus status = named(report, "io.ovnk.master.internal.MasterComponent");
        assertEquals(Verdict.STANDBY, status.verdict());
        assertEquals(Reason.Kind.CONDITIONAL_REFERENCE, status.reasons().get(0).kind());
        assertTrue(status.reasons().get(0).text().endsWith("registered by io.ovnk.kube.internal.LeaderElectionComponent "
                + "only while this process leads"), status.reasons().get(0).text());
        assertTrue(report.healthy());
    }

    @Test
    public void waitingForLeadershipWhenTheElectionItselfCannotRunIsNotStandby() {
        Component election = component("io.ovnk.kube", "io.ovnk.kube.internal.LeaderElectionComponent", "require",
                new String[] { "io.ovnk.kube.leader" }, new String[0]);
        Component master = withConfiguration(component("io.ovnk.master", "io.ovnk.master.internal.MasterComponent",
                "optional", new String[] { "io.ovnk.master" }, new String[0], reference("leadership", LEADERSHIP, null)),
                ComponentConfigurationDTO.UNSATISFIED_REFERENCE, 9, unsatisfied("leadership", null));

        ComponentStatus status = named(health.evaluate(List.of(election, master), configured()),
                "io.ovnk.master.internal.MasterComponent");

        assertEquals(Verdict.WAITING, status.verdict());
        assertTrue(status.reasons().get(0).text().contains("needs configuration io.ovnk.kube.leader"),
                status.reasons().get(0).text());
    }

    @Test
    public void aServiceThatNothingProvidesSaysSo() {
        Component cni = withConfiguration(component("io.ovnk.cni", "io.ovnk.cni.internal.CniComponent", "optional",
                new String[] { "io.ovnk.cni" }, new String[0], reference("mode", "org.example.Missing", null)),
                ComponentConfigurationDTO.UNSATISFIED_REFERENCE, 2, unsatisfied("mode", null));
        Reason reason = only(health.evaluate(List.of(cni), configured())).reasons().get(0);
        assertTrue(reason.text().contains("no component in this process provides one"), reason.text());
    }

    @Test
    public void aFailedActivationCarriesTheFirstLineOfScrsFailure() {
        Component broken = withConfiguration(component("io.ovnk.overlay", "io.ovnk.overlay.internal.OverlayNodeComponent",
                "require", new String[] { "io.ovnk.overlay.node" }, new String[0]), ComponentConfigurationDTO.FAILED_ACTIVATION, 5);
        broken.configurations().get(0).failure = "java.lang.IllegalArgumentException: encap.ip: \"x\" is not an address\n\tat ...";
        HealthReport report = health.evaluate(List.of(broken), configured("io.ovnk.overlay.node"));
        ComponentStatus status = only(report);
        assertEquals(Verdict.FAILED, status.verdict());
        assertEquals("activation failed: java.lang.IllegalArgumentException: encap.ip: \"x\" is not an address",
                status.reasons().get(0).text());
        assertFalse(report.healthy());
    }

    @Test
    public void aDisabledComponentIsUnhealthy() {
        Component component = component("io.ovnk.ipam", "io.ovnk.ipam.internal.IpamComponent", "require",
                new String[] { "io.ovnk.ipam" }, new String[0]);
        HealthReport report = health.evaluate(List.of(new Component(component.description(), false, List.of())), configured());
        assertEquals(Verdict.DISABLED, only(report).verdict());
        assertFalse(report.healthy());
    }

    @Test
    public void componentsOfOtherBundlesAreFollowedButNotReported() {
        Component foreign = withConfiguration(component("org.apache.felix.scr", "org.example.Foreign", "optional",
                new String[] { "x" }, new String[] { "org.example.Api" }, reference("r", "org.example.Nothing", null)),
                ComponentConfigurationDTO.UNSATISFIED_REFERENCE, 1, unsatisfied("r", null));
        Component ours = withConfiguration(component("io.ovnk.kube", "io.ovnk.kube.internal.X", "optional",
                new String[] { "x" }, new String[0], reference("api", "org.example.Api", null)),
                ComponentConfigurationDTO.UNSATISFIED_REFERENCE, 2, unsatisfied("api", null));
        HealthReport report = health.evaluate(List.of(foreign, ours), configured());
        assertEquals(List.of("io.ovnk.kube.internal.X"), report.components().stream().map(ComponentStatus::name).toList());
        assertTrue(report.components().get(0).reasons().get(0).text().contains("it comes from org.example.Foreign, which "
                + "waits: reference r"), report.components().get(0).reasons().get(0).text());
    }

    @Test
    public void aCycleOfReferencesEnds() {
        Component a = withConfiguration(component("io.ovnk.a", "A", "optional", new String[] { "a" },
                new String[] { "ApiA" }, reference("b", "ApiB", null)), ComponentConfigurationDTO.UNSATISFIED_REFERENCE, 1,
                unsatisfied("b", null));
        Component b = withConfiguration(component("io.ovnk.b", "B", "optional", new String[] { "b" },
                new String[] { "ApiB" }, reference("a", "ApiA", null)), ComponentConfigurationDTO.UNSATISFIED_REFERENCE, 2,
                unsatisfied("a", null));
        HealthReport report = health.evaluate(List.of(a, b), configured());
        assertEquals(2, report.count(Verdict.WAITING));
        assertTrue(report.components().stream().anyMatch(status -> status.reasons().get(0).text().contains("(a cycle)")),
                report.toString());
    }

    @Test
    public void runningComponentsHaveNoReasons() {
        Component active = withConfiguration(component("io.ovnk.runtime", "R", "optional", new String[] { "r" },
                new String[0]), ComponentConfigurationDTO.ACTIVE, 1);
        Component satisfied = withConfiguration(component("io.ovnk.runtime", "S", "optional", new String[] { "s" },
                new String[0]), ComponentConfigurationDTO.SATISFIED, 2);
        HealthReport report = health.evaluate(List.of(active, satisfied), configured());
        assertTrue(report.healthy());
        assertEquals(2, report.count(Verdict.RUNNING));
        assertEquals(List.of(), report.notRunning());
    }

    // ---- DTOs as SCR fills them

    static Component component(String bundle, String name, String policy, String[] pids, String[] services,
            ReferenceDTO... references) {
        ComponentDescriptionDTO description = new ComponentDescriptionDTO();
        description.name = name;
        description.bundle = new BundleDTO();
        description.bundle.symbolicName = bundle;
        description.bundle.id = Math.abs(bundle.hashCode());
        description.configurationPolicy = policy;
        description.configurationPid = pids;
        description.serviceInterfaces = services;
        description.references = references;
        return new Component(description, true, List.of());
    }

    static Component withConfiguration(Component component, int state, long id, UnsatisfiedReferenceDTO... unsatisfied) {
        ComponentConfigurationDTO configuration = new ComponentConfigurationDTO();
        configuration.description = component.description();
        configuration.state = state;
        configuration.id = id;
        configuration.unsatisfiedReferences = unsatisfied;
        List<ComponentConfigurationDTO> configurations = new ArrayList<>(component.configurations());
        configurations.add(configuration);
        return new Component(component.description(), true, configurations);
    }

    static ReferenceDTO reference(String name, String interfaceName, String target) {
        ReferenceDTO reference = new ReferenceDTO();
        reference.name = name;
        reference.interfaceName = interfaceName;
        reference.target = target;
        reference.cardinality = "1..1";
        return reference;
    }

    static UnsatisfiedReferenceDTO unsatisfied(String name, String target) {
        UnsatisfiedReferenceDTO reference = new UnsatisfiedReferenceDTO();
        reference.name = name;
        reference.target = target;
        return reference;
    }

    private static ComponentStatus only(HealthReport report) {
        assertEquals(1, report.components().size(), report.toString());
        return report.components().get(0);
    }

    private static ComponentStatus named(HealthReport report, String name) {
        return report.components().stream().filter(status -> status.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + report));
    }
}
