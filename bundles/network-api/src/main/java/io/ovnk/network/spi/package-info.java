/**
 * The mode SPI. A mode bundle (overlay, underlay) registers implementations of these interfaces with the service
 * property {@value io.ovnk.network.spi.PodPortBinder#MODE} naming the mode; the master and the CNI code use
 * whichever provider is present and reconcile when it changes, so modes swap at run time without a restart.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.ovnk.network.spi;
