package io.ovnk.ovsdb;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.osgi.annotation.versioning.ProviderType;

/** One replicated table. Reads return the cached immutable rows themselves: no copies. */
@ProviderType
public interface CachedTable {

    String name();

    TableSchema schema();

    Optional<Row> get(UUID uuid);

    /** The rows now (a view that does not copy; iterate it inside {@link Cache#read} for a consistent picture). */
    Collection<Row> rows();

    int size();

    /** The row whose schema index (the table's {@code indexes}) has these values, e.g. {@code lookup("name", "p1")}. */
    Optional<Row> lookup(List<String> indexColumns, List<Object> values);

    /** The row with this value in a single-column schema index (e.g. {@code Logical_Switch_Port.name}). */
    Optional<Row> lookup(String indexColumn, Object value);

    /** The rows a client index files under {@code key}. */
    List<Row> byIndex(String index, Object key);

    List<Row> find(Predicate<Row> condition);
}
