/**
 * An RFC 7047 OVSDB client: connections to {@code tcp:}, {@code ssl:} and {@code unix:} remotes, schema-checked
 * transactions built from {@link io.ovnk.ovsdb.Operation}s, and a {@link io.ovnk.ovsdb.Cache} replicated with
 * {@code monitor_cond_since}. Values are plain Java: {@code Long}, {@code Double}, {@code Boolean},
 * {@code String}, {@link java.util.UUID}, immutable {@code Set}s and {@code Map}s.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.ovnk.ovsdb;
