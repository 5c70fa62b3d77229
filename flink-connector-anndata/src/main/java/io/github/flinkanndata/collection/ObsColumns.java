package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.Column;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Whole decoded obs columns of the stores, by store and key, for the computations that need all
 * rows (filter, merged categories, merged labels). Presence follows the obs inventory, so
 * {@code _index} and legacy compound fields count as keys, as they do in lamindb.
 *
 * <p>Each column is decoded once per instance (planning reads a column for the filter and again
 * for the categories), so lamindb's {@code cache_categories} has nothing left to switch: it is
 * accepted for parity only. Not thread-safe: one instance per computation.
 */
final class ObsColumns {
    private final List<AnnDataStore> stores;
    private final Map<String, Column> cached = new HashMap<>();

    ObsColumns(List<AnnDataStore> stores) {
        this.stores = stores;
    }

    int storeCount() {
        return stores.size();
    }

    boolean has(int store, String key) {
        return stores.get(store).obs().has(key);
    }

    /** The column, or null if the store has no such obs key. */
    @Nullable
    Column column(int store, String key) throws AnnDataFormatException {
        if (!has(store, key)) {
            return null;
        }
        String id = store + "\u0000" + key;
        Column c = cached.get(id);
        if (c == null) {
            c = stores.get(store).obs().column(key);
            cached.put(id, c);
        }
        return c;
    }
}
