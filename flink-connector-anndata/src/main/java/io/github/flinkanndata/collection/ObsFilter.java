package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.Column;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates {@code obs_filter} on one store (docs/semantics.md §5): a row is kept iff for every key its
 * label equals one of the key's values (label equality, §1), where MISSING among the values
 * selects missing labels. A store without a filter key keeps no row, with or without MISSING
 * (lamindb reuses another store's labels there: D2). Stateless.
 */
final class ObsFilter {
    private ObsFilter() {}

    /**
     * The kept local rows of store {@code store}, ascending.
     *
     * @throws CollectionException if a filtered store has more rows than an int array can list
     */
    static int[] keptRows(Map<String, List<Object>> filter, ObsColumns columns, int store, long rows,
            String path) throws AnnDataFormatException {
        if (rows > Integer.MAX_VALUE - 8) {
            throw CollectionException.inStore(path, "X",
                    "a store of " + rows + " rows cannot be filtered (at most 2^31 - 9 rows)");
        }
        int n = (int) rows;
        boolean[] keep = null;
        for (Map.Entry<String, List<Object>> e : filter.entrySet()) {
            boolean[] m = new boolean[n];
            Column c = columns.column(store, e.getKey());
            if (c != null) {
                match(c, e.getValue(), m);
            }
            if (keep == null) {
                keep = m;
            } else {
                for (int r = 0; r < n; r++) {
                    keep[r] &= m[r];
                }
            }
        }
        int count = 0;
        for (int r = 0; r < n; r++) {
            count += keep != null && keep[r] ? 1 : 0;
        }
        int[] out = new int[count];
        for (int r = 0, i = 0; r < n; r++) {
            if (keep != null && keep[r]) {
                out[i++] = r;
            }
        }
        return out;
    }

    private static void match(Column c, List<Object> values, boolean[] m) {
        Set<Object> wanted = new HashSet<>();
        boolean selectMissing = false;
        for (Object v : values) {
            if (v == Missing.MISSING) {
                selectMissing = true;
            } else {
                wanted.add(Labels.canonical(v));
            }
        }
        if (c.isCategorical()) {
            // match each category once, then map the codes
            List<Object> cats = c.categories();
            boolean[] catMatch = new boolean[cats.size()];
            for (int k = 0; k < cats.size(); k++) {
                Object cat = cats.get(k);
                catMatch[k] = cat == null ? selectMissing : wanted.contains(Labels.canonical(cat));
            }
            int[] codes = c.codes();
            for (int r = 0; r < m.length; r++) {
                m[r] = codes[r] < 0 ? selectMissing : catMatch[codes[r]];
            }
            return;
        }
        for (int r = 0; r < m.length; r++) {
            Object label = c.label(r);
            m[r] = label == null ? selectMissing : wanted.contains(Labels.canonical(label));
        }
    }
}
