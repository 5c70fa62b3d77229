package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.RowBlock;
import io.github.flinkanndata.format.tree.DataType;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * How the stored columns of one matrix element map to output positions (semantics §6-§7), and
 * the cutting of one row out of a range-read block:
 *
 * <ul>
 *   <li>identity: no join, a short-circuited join, raw.X and obsm;
 *   <li>inner: output {@code j} = stored column {@code varIndices[j]} (a gather);
 *   <li>outer: stored column {@code k} goes to output {@code varIndices[k]}, other outputs are
 *       0 (a scatter, done as a gather through the inverse index).
 * </ul>
 *
 * In a growing collection's fixed gene space an index may be -1 (inner: a joint gene the store
 * lacks, output 0; outer: a store gene outside the space, dropped).
 *
 * Both directions are precomputed once per store: a gather index for dense blocks, a column map
 * for CSR blocks. Immutable; thread-safe.
 */
final class RowMapping {
    static final RowMapping IDENTITY = new RowMapping(-1, null, null);

    private final int width; // output width; -1 for identity (the element's own width)
    @Nullable private final int[] gather; // dense: output j ← stored gather[j] (-1 → 0)
    @Nullable private final int[] columnMap; // CSR: stored column c → output columnMap[c] (-1 → dropped)

    private RowMapping(int width, @Nullable int[] gather, @Nullable int[] columnMap) {
        this.width = width;
        this.gather = gather;
        this.columnMap = columnMap;
    }

    /** The mapping of X and layers of a store with {@code storeWidth} variables. */
    static RowMapping of(Join join, @Nullable int[] varIndices, int jointWidth, int storeWidth) {
        if (join == Join.NONE || varIndices == null) {
            return IDENTITY;
        }
        if (join == Join.INNER) {
            int[] columnMap = new int[storeWidth];
            Arrays.fill(columnMap, -1);
            for (int j = 0; j < varIndices.length; j++) {
                if (varIndices[j] >= 0) { // -1: a fixed-space gene this store lacks, output 0
                    columnMap[varIndices[j]] = j;
                }
            }
            return new RowMapping(jointWidth, varIndices, columnMap);
        }
        int[] gather = new int[jointWidth];
        Arrays.fill(gather, -1);
        for (int k = 0; k < varIndices.length; k++) {
            if (varIndices[k] >= 0) { // -1: a store gene outside the fixed space, dropped
                gather[varIndices[k]] = k;
            }
        }
        return new RowMapping(jointWidth, gather, varIndices);
    }

    /**
     * Row {@code k} of a block, in output order.
     *
     * @param values the block's values already cast to {@code type}
     */
    MatrixRow row(RowBlock block, Object values, int k, DataType type, boolean sparse) {
        int outWidth = width < 0 ? block.width() : width;
        if (!block.isSparse()) {
            int w = block.width();
            MatrixRow dense = MatrixRow.dense(type, Kernels.gather(values, k * w, gather, outWidth));
            return sparse ? dense.toSparse() : dense;
        }
        int lo = block.indptr()[k];
        int hi = block.indptr()[k + 1];
        int[] cols = block.indices();
        if (!sparse) {
            int[] idx = new int[outWidth];
            Arrays.fill(idx, -1);
            for (int e = lo; e < hi; e++) {
                int j = columnMap == null ? cols[e] : columnMap[cols[e]];
                if (j >= 0) {
                    idx[j] = e; // a duplicate column: the last entry wins, as in lamindb
                }
            }
            return MatrixRow.dense(type, Kernels.gather(values, 0, idx, outWidth));
        }
        // (output column, entry) pairs sorted by column then entry: the last of a run wins
        long[] pairs = new long[hi - lo];
        int m = 0;
        for (int e = lo; e < hi; e++) {
            int j = columnMap == null ? cols[e] : columnMap[cols[e]];
            if (j >= 0) {
                pairs[m++] = ((long) j << 32) | e;
            }
        }
        Arrays.sort(pairs, 0, m);
        int[] indices = new int[m];
        int[] entries = new int[m];
        int n = 0;
        for (int i = 0; i < m; i++) {
            int j = (int) (pairs[i] >>> 32);
            if (i + 1 < m && (int) (pairs[i + 1] >>> 32) == j) {
                continue;
            }
            indices[n] = j;
            entries[n++] = (int) pairs[i];
        }
        return MatrixRow.sparse(type, outWidth, Arrays.copyOf(indices, n),
                Kernels.gather(values, 0, Arrays.copyOf(entries, n), n));
    }
}
