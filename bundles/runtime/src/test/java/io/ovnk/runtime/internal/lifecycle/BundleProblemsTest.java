package io.ovnk.runtime.internal.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleException;

class BundleProblemsTest {

    @Test
    void aMissingPackageBecomesOneReadableLine() {
        // the text Felix 7 gives when a deployed bundle imports a package nobody exports
        BundleException e = new BundleException("Unable to resolve org.example.broken [61](R 61.0): missing requirement "
                + "[org.example.broken [61](R 61.0)] osgi.wiring.package; (&(osgi.wiring.package=org.example.missing)"
                + "(version>=1.0.0)(!(version>=2.0.0))) Unresolved requirements: [[org.example.broken [61](R 61.0)] "
                + "osgi.wiring.package; (&(osgi.wiring.package=org.example.missing)(version>=1.0.0)(!(version>=2.0.0)))]",
                BundleException.RESOLVE_ERROR);
        assertEquals("cannot resolve: missing package org.example.missing (version>=1.0.0, not version>=2.0.0)",
                BundleProblems.explain(e));
    }

    @Test
    void aMissingExtenderIsNamedByItsFilter() {
        BundleException e = new BundleException("Unable to resolve x [3](R 3.0): missing requirement [x [3](R 3.0)] "
                + "osgi.extender; (&(osgi.extender=osgi.component)(version>=1.5.0)(!(version>=2.0.0))) Unresolved "
                + "requirements: [[x [3](R 3.0)] osgi.extender; (&(osgi.extender=osgi.component)(version>=1.5.0)"
                + "(!(version>=2.0.0)))]");
        assertEquals("cannot resolve: missing osgi.extender (&(osgi.extender=osgi.component)(version>=1.5.0)"
                + "(!(version>=2.0.0)))", BundleProblems.explain(e));
    }

    @Test
    void otherProblemsKeepTheirMessageAndRootCause() {
        Exception e = new BundleException("Activator start error in bundle x [3].",
                new IllegalStateException("port 8080 in use"));
        assertEquals("Activator start error in bundle x [3].: port 8080 in use", BundleProblems.explain(e));
    }
}
