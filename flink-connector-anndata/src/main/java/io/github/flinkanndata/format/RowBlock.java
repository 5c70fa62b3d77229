package io.github.flinkanndata.format;

import io.github.flinkanndata.format.tree.DataType;
import javax.annotation.Nullable;

/**
 * Consecutive rows {@code [firstRow, firstRow + rows)} of a matrix element, as read in one range
 * read. Dense blocks hold {@code rows * width} values in row-major order; sparse blocks hold CSR
 * parts with {@code indptr} rebased to start at 0.
 *
 * <p>{@code values} is the primitive array of {@link #dataType()} ({@code float[]}, {@code
 * double[]}, {@code int[]}, ...). The values and indices of a sparse block may be longer than its
 * {@link #valueCount()} (arrays of a {@code SlabPool}); what lies past it is not the block's. A
 * block is immutable by convention: callers must not modify the arrays.
 */
public final class RowBlock {
    private final long firstRow;
    private final int rows;
    private final int width;
    private final DataType dataType;
    private final Object values;
    @Nullable private final int[] indptr;
    @Nullable private final int[] indices;
    private final boolean rowsAscending;

    private RowBlock(
            long firstRow,
            int rows,
            int width,
            DataType dataType,
            Object values,
            @Nullable int[] indptr,
            @Nullable int[] indices,
            boolean rowsAscending) {
        this.firstRow = firstRow;
        this.rows = rows;
        this.width = width;
        this.dataType = dataType;
        this.values = values;
        this.indptr = indptr;
        this.indices = indices;
        this.rowsAscending = rowsAscending;
    }

    public static RowBlock dense(long firstRow, int rows, int width, DataType type, Object values) {
        return new RowBlock(firstRow, rows, width, type, values, null, null, false);
    }

    /** {@code indptr} has {@code rows + 1} entries starting at 0; indices are validated column numbers. */
    public static RowBlock sparse(
            long firstRow, int rows, int width, DataType type, Object values, int[] indptr, int[] indices) {
        return new RowBlock(firstRow, rows, width, type, values, indptr, indices, false);
    }

    /** As {@link #sparse}, stating whether every row's columns are strictly ascending. */
    public static RowBlock sparse(long firstRow, int rows, int width, DataType type, Object values, int[] indptr,
            int[] indices, boolean rowsAscending) {
        return new RowBlock(firstRow, rows, width, type, values, indptr, indices, rowsAscending);
    }

    /**
     * Sparse only: true if the columns of every row are known to be strictly ascending (no
     * repeats), as in canonical CSR; false if unknown or not.
     */
    public boolean rowsAscending() {
        return rowsAscending;
    }

    /** Values the block holds: {@code indptr[rows]} if sparse, {@code rows * width} if dense. */
    public long valueCount() {
        return indptr != null ? indptr[rows] : (long) rows * width;
    }

    public boolean isSparse() {
        return indptr != null;
    }

    public long firstRow() {
        return firstRow;
    }

    public int rows() {
        return rows;
    }

    /** Number of columns of the element (1 for a 1-D obsm entry). */
    public int width() {
        return width;
    }

    public DataType dataType() {
        return dataType;
    }

    /** Dense: row-major values; sparse: the {@code data} values of the block's non-zeros. */
    public Object values() {
        return values;
    }

    /** Sparse only: row pointers into {@link #indices()} and {@link #values()}, rows + 1 long. */
    @Nullable
    public int[] indptr() {
        return indptr;
    }

    /** Sparse only: column numbers, each in {@code [0, width)}. */
    @Nullable
    public int[] indices() {
        return indices;
    }

    /** The value at position {@code i} of {@link #values()} as a double (booleans as 0/1). */
    public double valueAsDouble(int i) {
        return Values.asDouble(values, i);
    }
}
