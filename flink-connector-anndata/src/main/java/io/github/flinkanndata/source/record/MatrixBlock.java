package io.github.flinkanndata.source.record;

import java.util.Arrays;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The rows of one matrix ({@code X}, {@code raw.X}, a layer, or an obsm entry) for the cells of a
 * {@link CellBatch}, column-wise and in float32, the type models train on.
 *
 * <p>Layout, for {@code rows} cells: row {@code i}'s values are {@code values[indptr[i] ..
 * indptr[i + 1])}. A sparse block is CSR: {@code indices} holds the column of each value,
 * ascending within a row. A dense block has no indices: each row holds all its columns. {@code
 * widths[i]} is row {@code i}'s full width (the joint gene count, or its own store's width when the
 * collection has no join). A cell whose store lacks the element has no values and {@code
 * present(i)} false, as lamindb omits the key from that sample.
 *
 * <p>Immutable by convention: callers must not modify the arrays it hands out.
 */
@PublicEvolving
public final class MatrixBlock {
    private final int[] indptr;
    @Nullable private final int[] indices;
    private final float[] values;
    private final int[] widths;
    @Nullable private final boolean[] present; // null: every row present

    /**
     * @param indptr {@code rows + 1} non-decreasing offsets into {@code values}, starting at 0
     * @param indices the column of each value (sparse), or null (dense)
     * @param values the values, {@code indptr[rows]} of them
     * @param widths each row's full width
     * @param present which rows their store has, or null if all
     */
    public MatrixBlock(int[] indptr, @Nullable int[] indices, float[] values, int[] widths,
            @Nullable boolean[] present) {
        int rows = widths.length;
        if (indptr.length != rows + 1 || indptr[0] != 0 || indptr[rows] != values.length) {
            throw new IllegalArgumentException("indptr of " + indptr.length + " entries ending at "
                    + indptr[indptr.length - 1] + " does not fit " + rows + " rows and " + values.length + " values");
        }
        if (indices != null && indices.length != values.length) {
            throw new IllegalArgumentException(indices.length + " indices for " + values.length + " values");
        }
        if (present != null && present.length != rows) {
            throw new IllegalArgumentException(present.length + " presence flags for " + rows + " rows");
        }
        for (int i = 0; i < rows; i++) {
            int n = indptr[i + 1] - indptr[i];
            if (n < 0 || (indices == null && n != (present == null || present[i] ? widths[i] : 0))) {
                throw new IllegalArgumentException("row " + i + " holds " + n + " values, width " + widths[i]);
            }
        }
        this.indptr = indptr;
        this.indices = indices;
        this.values = values;
        this.widths = widths;
        this.present = present;
    }

    public int rows() {
        return widths.length;
    }

    public boolean isSparse() {
        return indices != null;
    }

    public int[] indptr() {
        return indptr;
    }

    /** The column of each value (sparse blocks), or null for a dense block. */
    @Nullable
    public int[] indices() {
        return indices;
    }

    public float[] values() {
        return values;
    }

    public int[] widths() {
        return widths;
    }

    /** Whether row {@code i}'s store has this element. */
    public boolean present(int i) {
        return present == null || present[i];
    }

    /** True when every row has the same width and is present (a plain {@code rows x width} matrix). */
    public boolean isRectangular() {
        if (present != null) {
            for (boolean p : present) {
                if (!p) {
                    return false;
                }
            }
        }
        for (int w : widths) {
            if (w != widths[0]) {
                return false;
            }
        }
        return true;
    }

    /** Row {@code i} as a dense array of its width (zeros where a sparse row stores nothing). */
    public float[] denseRow(int i) {
        float[] out = new float[widths[i]];
        int from = indptr[i];
        int to = indptr[i + 1];
        if (indices == null) {
            System.arraycopy(values, from, out, 0, to - from);
        } else {
            for (int k = from; k < to; k++) {
                out[indices[k]] = values[k];
            }
        }
        return out;
    }

    @Nullable
    boolean[] presence() {
        return present;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MatrixBlock)) {
            return false;
        }
        MatrixBlock b = (MatrixBlock) o;
        return Arrays.equals(indptr, b.indptr) && Arrays.equals(indices, b.indices)
                && Arrays.equals(values, b.values) && Arrays.equals(widths, b.widths)
                && Arrays.equals(present, b.present);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(indptr) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "MatrixBlock{" + rows() + " rows, " + (isSparse() ? "sparse" : "dense") + ", " + values.length
                + " values}";
    }
}
