package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.Column;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code get_merged_categories} (docs/semantics.md §8.4): the union over the stores that have the key of
 * their declared categories (categorical columns, unused categories included) or of all their
 * non-missing values (other columns), ignoring the filter; MISSING is never a category. Sorted:
 * numbers by value, strings by code point; a key mixing the two is an error. Equal labels of
 * different types (3 and 3.0) merge into the first one seen, as in Python's set. Stateless.
 */
final class MergedCategories {
    private MergedCategories() {}

    static List<Object> merge(String key, ObsColumns columns, List<String> paths) throws AnnDataFormatException {
        Map<Object, Object> seen = new LinkedHashMap<>();
        for (int s = 0; s < columns.storeCount(); s++) {
            Column c = columns.column(s, key);
            if (c == null) {
                continue;
            }
            if (c.isCategorical()) {
                for (Object cat : c.categories()) {
                    add(seen, cat);
                }
            } else {
                for (int r = 0; r < c.length(); r++) {
                    add(seen, c.label(r));
                }
            }
        }
        List<Object> cats = new ArrayList<>(seen.values());
        boolean strings = false;
        boolean numbers = false;
        for (Object v : cats) {
            strings |= v instanceof String;
            numbers |= Labels.isNumeric(v);
        }
        if (strings && numbers) {
            throw CollectionException.inCollection(paths, "obs key '" + key
                    + "' holds strings in some places and numbers in others; its categories cannot be ordered");
        }
        cats.sort(Labels.LABEL_ORDER);
        return cats;
    }

    private static void add(Map<Object, Object> seen, Object label) {
        if (label != null) {
            seen.putIfAbsent(Labels.canonical(label), label);
        }
    }
}
