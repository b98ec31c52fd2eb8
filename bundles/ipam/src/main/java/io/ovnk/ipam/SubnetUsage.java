package io.ovnk.ipam;

/**
 * How full one node subnet is: {@code allocated} pod addresses out of {@code allocatable} (the subnet's size less
 * its reserved addresses; IPv6 node subnets hand out addresses from their first 65,536).
 */
public record SubnetUsage(String node, Cidr subnet, int allocated, int allocatable) {
}
