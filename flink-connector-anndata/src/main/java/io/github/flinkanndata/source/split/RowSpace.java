package io.github.flinkanndata.source.split;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.flink.annotation.Internal;

/**
 * The rows sampling works on: for each store, the number of rows kept by the obs filter. A global
 * index {@code g} is position {@code g - offset(s)} of store {@code s}. O(stores), immutable.
 */
@Internal
public final class RowSpace implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long[] kept;
    private final long[] offsets;

    public RowSpace(long[] keptPerStore) {
        this.kept = keptPerStore.clone();
        this.offsets = new long[kept.length + 1];
        for (int s = 0; s < kept.length; s++) {
            if (kept[s] < 0) {
                throw new IllegalArgumentException("negative row count for store " + s);
            }
            offsets[s + 1] = offsets[s] + kept[s];
        }
    }

    /** The kept rows of the first {@code stores} stores of {@code plan}. */
    public static RowSpace of(io.github.flinkanndata.collection.CollectionPlan plan, int stores) {
        long[] kept = new long[stores];
        for (int s = 0; s < stores; s++) {
            kept[s] = plan.store(s).keptRows();
        }
        return new RowSpace(kept);
    }

    public int stores() {
        return kept.length;
    }

    public long kept(int store) {
        return kept[store];
    }

    /** Global index of position 0 of {@code store}. */
    public long offset(int store) {
        return offsets[store];
    }

    public long total() {
        return offsets[kept.length];
    }

    /** The store holding global index {@code g}. */
    public int storeOf(long g) {
        if (g < 0 || g >= total()) {
            throw new IndexOutOfBoundsException("global index " + g + " outside [0, " + total() + ")");
        }
        int i = Arrays.binarySearch(offsets, g);
        if (i >= 0) {
            while (i + 1 < offsets.length && offsets[i + 1] == g) {
                i++; // skip stores with no rows
            }
            return i;
        }
        return -i - 2;
    }

    @Override
    public String toString() {
        return "RowSpace" + Arrays.toString(kept);
    }
}
