package io.ovnk.ipam;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link Ipam#recover}: how many node subnets and addresses were marked taken and each claim that
 * was not, with both parties. A conflicting claim is never resolved by overwriting: the first holder keeps it.
 */
public record RecoveryReport(int nodeSubnets, int addresses, List<Conflict> conflicts) {

    public RecoveryReport {
        conflicts = List.copyOf(conflicts);
    }

    /** One claim that was refused. */
    public record Conflict(Kind kind, String resource, String claimant, Optional<String> holder) {

        public Conflict {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(claimant, "claimant");
            Objects.requireNonNull(holder, "holder");
        }

        @Override
        public String toString() {
            return switch (kind) {
                case DUPLICATE -> resource + " is claimed by " + claimant + " but already held by "
                        + holder.orElse("an allocation made before this recovery");
                case RESERVED -> resource + " claimed by " + claimant + " is reserved" + holder.map(h -> " (" + h + ")").orElse("");
                case OUTSIDE -> resource + " claimed by " + claimant + " is outside " + holder.orElse("the configured ranges");
                case SECOND_SUBNET -> claimant + " claims " + resource + " but already holds " + holder.orElse("a subnet of that family");
                case WRONG_NODE -> resource + " claimed by " + claimant + " lies in the subnet of node " + holder.orElse("?");
            };
        }
    }

    /** Why a claim was refused. */
    public enum Kind {
        /** Two owners claim one subnet or address; {@code holder} is the first. */
        DUPLICATE,
        /** The address is reserved (network, gateway, management, broadcast, configured reservation, exclusion). */
        RESERVED,
        /** Not within the configured cluster subnets, not a node subnet of the configured size, or in no node subnet. */
        OUTSIDE,
        /** The node already holds another subnet of the family; {@code holder} names it. */
        SECOND_SUBNET,
        /** The pod's address lies in another node's subnet; {@code holder} names that node. */
        WRONG_NODE
    }
}
