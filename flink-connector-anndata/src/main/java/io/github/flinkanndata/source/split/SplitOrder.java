package io.github.flinkanndata.source.split;

import org.apache.flink.annotation.Internal;

/**
 * The emission order of a split, as a pure function of the split: its segments' rows (or drawn
 * rows) concatenated in segment order, then permuted by the split's seed if it is permuted. The
 * reader emits in this order, and tools that study the order (shuffle quality, tests) compute it
 * here without reading any data.
 */
@Internal
public final class SplitOrder {
    private SplitOrder() {}

    /**
     * {@code perm[i]} is the position, in the concatenated rows, of the {@code i}-th sample
     * emitted; null when the split is not permuted (identity).
     */
    public static int[] permutation(AnnDataSplit split) {
        return split.permuted() ? Seeds.permutation(split.size(), split.permutationSeed()) : null;
    }

    /** The global indices the split emits, in emission order. */
    public static long[] globalIndices(AnnDataSplit split, RowSpace space) {
        long[] rows = new long[split.size()];
        int n = 0;
        for (Segment s : split.segments()) {
            long base = space.offset(s.store()) + s.from();
            if (s.draws() == null) {
                for (long p = 0; p < s.to() - s.from(); p++) {
                    rows[n++] = base + p;
                }
            } else {
                for (int d : s.draws()) {
                    rows[n++] = base + d;
                }
            }
        }
        int[] perm = permutation(split);
        if (perm == null) {
            return rows;
        }
        long[] out = new long[rows.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows[perm[i]];
        }
        return out;
    }
}
