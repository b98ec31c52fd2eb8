/**
 * Address management for the pod network, free of I/O: cluster subnets are cut into node subnets, node subnets
 * into pod addresses with their MACs, for IPv4 and IPv6 (dual-stack: one node subnet per family). Values are
 * records; every failure is an {@link io.ovnk.ipam.IpamException} subtype naming what was at fault.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.ovnk.ipam;
