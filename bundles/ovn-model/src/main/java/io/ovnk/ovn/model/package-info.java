/**
 * Typed, immutable views of the OVN Northbound, Southbound and Open_vSwitch rows ovnk uses. Each record wraps a
 * cached {@link io.ovnk.ovsdb.Row} and names the columns it reads in its {@code MODEL}, which is checked against the
 * server's schema whenever a monitor using it is established: a column a new OVN renamed or retyped is an error
 * naming it, never a silent null.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.ovnk.ovn.model;
