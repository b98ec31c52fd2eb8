package io.ovnk.launcher.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ovnk.launcher.LaunchException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlagsTest {

    @Test
    void oneOrTwoDashesEqualsOrSpaceAndBareBooleansAllParse() throws Exception {
        List<Flag.Given> given = Flags.parse(List.of("-init-node=n1", "--k8s-apiserver", "http://a:8080", "-nodeport",
                "--init-gateways=false", "-k8s-kubeconfig", "k.yaml", "--cluster-subnet=10.0.0.0/16"));
        assertEquals(List.of(
                new Flag.Given(Flags.INIT_NODE, "-init-node", "n1"),
                new Flag.Given(Flags.K8S_APISERVER, "--k8s-apiserver", "http://a:8080"),
                new Flag.Given(Flags.NODEPORT, "-nodeport", "true"),
                new Flag.Given(Flags.INIT_GATEWAYS, "--init-gateways", "false"),
                new Flag.Given(Flags.K8S_KUBECONFIG, "-k8s-kubeconfig", "k.yaml"),
                new Flag.Given(Flags.CLUSTER_SUBNETS, "--cluster-subnet", "10.0.0.0/16")), given);
    }

    @Test
    void aValueMayStartWithADashAsGoTakesIt() throws Exception {
        assertEquals("-abc", Flags.parse(List.of("-k8s-token", "-abc")).get(0).value());
    }

    @Test
    void anUnknownFlagIsRefusedWithTheClosestKnownOne() {
        assertEquals("unknown flag -init-nod (did you mean -init-node?); see --help", refused("-init-nod=x"));
        assertEquals("unknown flag --cluster-subnetz (did you mean --cluster-subnets?); see --help",
                refused("--cluster-subnetz=10.0.0.0/8"));
        assertEquals("unknown flag --k8s-apisrever (did you mean --k8s-apiserver?); see --help",
                refused("--k8s-apisrever", "http://x"));
        assertEquals("unknown flag -frobnicate; see --help", refused("-frobnicate"));
    }

    @Test
    void aMissingValueAStrayArgumentAndANonBooleanAreRefusedNamingTheFlag() {
        assertEquals("-init-node: needs a value (-init-node NODE)", refused("-init-node"));
        assertEquals("unexpected argument \"true\": flags start with - or -- (-nodeport is a boolean flag: -nodeport "
                + "or -nodeport=false); see --help", refused("-nodeport", "true"));
        assertEquals("-nodeport: \"yes\" is not a boolean (true or false)", refused("-nodeport=yes"));
        assertTrue(refused("stray").startsWith("unexpected argument \"stray\""));
    }

    @Test
    void helpListsEveryFlagWithItsDefaultAndTarget() {
        String help = Flags.help();
        for (Flag flag : Flags.ALL) {
            for (String spelling : flag.spellings()) {
                assertTrue(help.contains("-" + spelling), spelling);
            }
            assertTrue(help.contains("default " + flag.defaultText() + "; " + flag.mapsTo()), flag.name());
        }
        assertTrue(help.contains("  -cluster-subnets, -cluster-subnet CIDR[/HOSTPREFIX],...\n        default "
                + "10.128.0.0/14/23; io.ovnk.ipam cluster.subnets (master); io.ovnk.overlay.node cluster.subnets (node)"),
                help);
    }

    private static String refused(String... arguments) {
        return assertThrows(LaunchException.class, () -> Flags.parse(List.of(arguments))).getMessage();
    }
}
