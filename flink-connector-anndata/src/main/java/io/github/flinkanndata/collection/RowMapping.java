package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.RowBlock;
import io.github.flinkanndata.format.Values;
import io.github.flinkanndata.format.tree.DataType;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * How the stored columns of one matrix element map to output positions (docs/semantics.md §6-§7), and
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

    /** The output width of rows of {@code block}. */
    int width(RowBlock block) {
        return width < 0 ? block.width() : width;
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
            return denseRow(values, lo, hi, cols, type, outWidth);
        }
        // the common case, stored columns ascending (and mapped ascending), needs no sort: one
        // pass maps the columns and checks the order; only unsorted rows take the sorting path
        if (columnMap == null) {
            int[] indices = Arrays.copyOfRange(cols, lo, hi);
            if (block.rowsAscending() || strictlyAscending(indices)) {
                return MatrixRow.sparse(type, outWidth, indices, Kernels.gather(values, lo, null, hi - lo));
            }
            return sortedRow(values, lo, hi, cols, type, outWidth);
        }
        int[] indices = new int[hi - lo];
        int[] entries = null;
        int m = 0;
        int prev = -1;
        boolean ascending = true;
        for (int e = lo; e < hi; e++) {
            int j = columnMap[cols[e]];
            if (j < 0) {
                if (entries == null) {
                    entries = ascendingEntries(lo, e, hi);
                }
                continue;
            }
            ascending &= j > prev;
            prev = j;
            if (entries != null) {
                entries[m] = e;
            }
            indices[m++] = j;
        }
        if (ascending) {
            Object vals = entries == null
                    ? Kernels.gather(values, lo, null, m)
                    : Kernels.gather(values, 0, entries, m);
            return MatrixRow.sparse(type, outWidth, m == indices.length ? indices : Arrays.copyOf(indices, m), vals);
        }
        return sortedRow(values, lo, hi, cols, type, outWidth);
    }

    /**
     * Whether each column is greater than the one before: a branch-free OR of {@code a[i+1] -
     * a[i] - 1} (negative iff a step is not upward; columns are validated, so nothing overflows),
     * which the JIT vectorises.
     */
    static boolean strictlyAscending(int[] a) {
        int bad = 0;
        for (int i = 1; i < a.length; i++) {
            bad |= a[i] - a[i - 1] - 1;
        }
        return bad >= 0;
    }

    /** Entries {@code lo, lo+1, ..., upTo-1} in a buffer with room for the whole row. */
    private static int[] ascendingEntries(int lo, int upTo, int hi) {
        int[] entries = new int[hi - lo];
        for (int e = lo; e < upTo; e++) {
            entries[e - lo] = e;
        }
        return entries;
    }

    /**
     * A dense row kept as its mapped entries in entry order (densified on first use, where for
     * a duplicate column the last entry wins, as in lamindb).
     */
    private MatrixRow denseRow(Object values, int lo, int hi, int[] cols, DataType type, int outWidth) {
        if (columnMap == null) {
            return MatrixRow.denseFromEntries(type, outWidth, Arrays.copyOfRange(cols, lo, hi),
                    Kernels.gather(values, lo, null, hi - lo));
        }
        int[] columns = new int[hi - lo];
        int[] entries = new int[hi - lo];
        int m = 0;
        for (int e = lo; e < hi; e++) {
            int j = columnMap[cols[e]];
            if (j >= 0) {
                columns[m] = j;
                entries[m++] = e;
            }
        }
        return MatrixRow.denseFromEntries(type, outWidth, Arrays.copyOf(columns, m), Kernels.gather(values, 0, entries, m));
    }

    /** A row whose mapped columns are not strictly ascending: sort, the last duplicate wins. */
    private MatrixRow sortedRow(Object values, int lo, int hi, int[] cols, DataType type, int outWidth) {
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

    /**
     * The most entries {@link #write} writes for row {@code k}: its stored entries (CSR into
     * sparse), else the output width.
     */
    int bound(RowBlock block, int k, boolean sparse) {
        if (sparse && block.isSparse()) {
            return block.indptr()[k + 1] - block.indptr()[k];
        }
        return width(block);
    }

    /**
     * Writes row {@code k} of a block, in output order, as floats into a batch's arrays: sparse —
     * its entries' columns into {@code indices} and values into {@code out} from {@code pos},
     * returning how many; dense — {@link #width} values from {@code pos} (which must be zeros),
     * returning the width. The same row as {@link #row} gives, without allocating one: the
     * common cases (CSR with ascending mapped columns; dense blocks; CSR into dense) copy
     * straight from the block, anything else goes through {@link #row}.
     *
     * @param values the block's values already cast to {@code type}
     */
    int write(RowBlock block, Object values, int k, DataType type, boolean sparse, @Nullable int[] indices,
            float[] out, int pos) {
        int outWidth = width(block);
        if (block.isSparse()) {
            int lo = block.indptr()[k];
            int hi = block.indptr()[k + 1];
            int[] cols = block.indices();
            if (!sparse && columnMap == null) {
                // stored columns are the output's; in entry order the last duplicate wins, as in lamindb
                for (int e = lo; e < hi; e++) {
                    out[pos + cols[e]] = Kernels.floatAt(values, e);
                }
                return outWidth;
            }
            if (sparse && columnMap == null && block.rowsAscending()) {
                System.arraycopy(cols, lo, indices, pos, hi - lo);
                Kernels.copyToFloat(values, lo, out, pos, hi - lo);
                return hi - lo;
            }
            if (sparse && columnMap != null) {
                int m = 0;
                int prev = -1;
                boolean ascending = true;
                for (int e = lo; e < hi; e++) {
                    int j = columnMap[cols[e]];
                    if (j >= 0) {
                        ascending &= j > prev;
                        prev = j;
                        indices[pos + m] = j;
                        out[pos + m++] = Kernels.floatAt(values, e);
                    }
                }
                if (ascending) {
                    return m;
                }
            }
        } else if (!sparse) {
            int w = block.width();
            if (gather == null) {
                Kernels.copyToFloat(values, k * w, out, pos, outWidth);
            } else {
                for (int j = 0; j < outWidth; j++) {
                    int c = gather[j];
                    out[pos + j] = c < 0 ? 0f : Kernels.floatAt(values, k * w + c);
                }
            }
            return outWidth;
        }
        return writeRow(row(block, values, k, type, sparse), indices, out, pos);
    }

    /** Writes a row (in output order already) as {@link #write} does. */
    static int writeRow(MatrixRow row, @Nullable int[] indices, float[] out, int pos) {
        if (indices != null) {
            MatrixRow r = row.toSparse();
            int n = r.indices().length;
            System.arraycopy(r.indices(), 0, indices, pos, n);
            Kernels.copyToFloat(r.values(), 0, out, pos, n);
            return n;
        }
        Object dense = row.dense();
        int n = Values.length(dense);
        Kernels.copyToFloat(dense, 0, out, pos, n);
        return n;
    }
}
