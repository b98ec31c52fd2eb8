package io.ovnk.ovsdb;

/** A change to a column in place: {@code [column, mutator, value]}. */
public record Mutation(String column, Mutator mutator, Object value) {

    public enum Mutator {
        ADD("+="), SUBTRACT("-="), MULTIPLY("*="), DIVIDE("/="), MODULO("%="), INSERT("insert"), DELETE("delete");

        private final String wire;

        Mutator(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /** Adds elements to a set or key-value pairs to a map (existing keys keep their values). */
    public static Mutation insert(String column, Object elements) {
        return new Mutation(column, Mutator.INSERT, elements);
    }

    /** Removes elements from a set, or from a map the given keys (a Set) or key-value pairs (a Map). */
    public static Mutation delete(String column, Object elements) {
        return new Mutation(column, Mutator.DELETE, elements);
    }

    public static Mutation add(String column, long amount) {
        return new Mutation(column, Mutator.ADD, amount);
    }
}
