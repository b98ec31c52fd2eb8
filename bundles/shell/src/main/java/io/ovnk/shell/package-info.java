/**
 * Why is nothing happening: the {@link io.ovnk.shell.Health} service judges every Declarative Services component
 * of the ovnk bundles and says, for each that does not run, why (a reference without a service, and where that
 * service would come from; a configuration that does not exist; a failed activation). The Gogo commands of scope
 * {@code ovnk} print it ({@code ovnk:health}, {@code ovnk:status}); a health endpoint can serve the same report.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.ovnk.shell;
