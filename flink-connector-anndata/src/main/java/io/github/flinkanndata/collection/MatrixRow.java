package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.Values;
import io.github.flinkanndata.format.tree.DataType;
import javax.annotation.Nullable;

/**
 * One row of one matrix of a sample (X, a layer, raw.X or an obsm entry), in output order (joint
 * order under a join), either dense or sparse. Both forms are available from either: the dense
 * form is lamindb's parity form; the sparse form lists column indices ascending with their values
 * and densifies to exactly the dense form.
 *
 * <p>Values are a primitive array of {@link #type()} ({@code float[]} for float32, {@code
 * long[]} for int64, ...). Sparse rows read from CSR keep the stored entries (explicit zeros
 * included, duplicates resolved to the last one); sparse rows made from dense ones list the
 * entries that are not +0. Immutable by convention: callers must not modify the arrays.
 *
 * <p>A dense row read from CSR keeps only its stored entries until {@link #dense()} is first
 * called ({@link #denseFromEntries}): a window of shuffled samples then weighs what the stored
 * entries weigh, not {@code width} values per sample, and the full vector is built by whoever
 * consumes the row. It behaves exactly like an eagerly built dense row.
 *
 * <p><b>Shape.</b> A row is one-dimensional ({@link #width()} values), except a row of an obsm
 * entry with more than two dimensions: an entry of shape {@code (n_obs, d1, d2, ...)} has rows of
 * shape {@code (d1, d2, ...)} (docs/semantics.md §7.1), held flat in C (row-major) order, so the
 * dense and sparse forms, the type and the width are those of the flattened row, and {@link
 * #shape()} says how to fold it ({@link #nestedDense()} does).
 */
public final class MatrixRow {
    private final DataType type;
    private final int width;
    // (d1, d2, ...) with two or more dimensions whose product is width; null for a 1-D row
    @Nullable private final int[] shape;
    // at most one of the three forms below is the row's own:
    // dense != null: a dense row; entries != null: a dense row kept as entries until asked;
    // otherwise indices/values: a sparse row
    @Nullable private volatile Object dense;
    @Nullable private final int[] indices;
    @Nullable private final Object values;
    @Nullable private final int[] entryColumns;
    @Nullable private final Object entryValues;

    private MatrixRow(DataType type, int width, @Nullable Object dense, @Nullable int[] indices,
            @Nullable Object values, @Nullable int[] entryColumns, @Nullable Object entryValues) {
        this(type, width, null, dense, indices, values, entryColumns, entryValues);
    }

    private MatrixRow(DataType type, int width, @Nullable int[] shape, @Nullable Object dense,
            @Nullable int[] indices, @Nullable Object values, @Nullable int[] entryColumns,
            @Nullable Object entryValues) {
        this.type = type;
        this.width = width;
        this.shape = shape;
        this.dense = dense;
        this.indices = indices;
        this.values = values;
        this.entryColumns = entryColumns;
        this.entryValues = entryValues;
    }

    /** A dense row: {@code values} is a primitive array of {@code type}. */
    public static MatrixRow dense(DataType type, Object values) {
        return new MatrixRow(type, Values.length(values), values, null, null, null, null);
    }

    /** A sparse row: {@code indices} ascending and distinct, each in {@code [0, width)}. */
    public static MatrixRow sparse(DataType type, int width, int[] indices, Object values) {
        return new MatrixRow(type, width, null, indices, values, null, null);
    }

    /**
     * A dense row given by entries: value {@code values[k]} at column {@code columns[k]} (any
     * order, repeats allowed: the last one wins), zero elsewhere. The vector is built on the
     * first {@link #dense()} call.
     */
    static MatrixRow denseFromEntries(DataType type, int width, int[] columns, Object values) {
        return new MatrixRow(type, width, null, null, null, columns, values);
    }

    /**
     * This row folded to {@code shape}: a row of an N-D obsm entry. The shape's product must be
     * {@link #width()}; a shape of one dimension gives a plain row.
     *
     * @throws IllegalArgumentException if the shape is empty, has a negative dimension or does not
     *     hold {@link #width()} values
     */
    public MatrixRow withShape(int[] shape) {
        int[] s = checkShape(shape, width);
        return new MatrixRow(type, width, s, dense, indices, values, entryColumns, entryValues);
    }

    /** The checked copy of a shape for {@code width} values; null for one dimension. */
    @Nullable
    static int[] checkShape(int[] shape, int width) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("a matrix row has at least one dimension");
        }
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in row shape " + java.util.Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                break;
            }
        }
        if (n != width) {
            throw new IllegalArgumentException("row shape " + java.util.Arrays.toString(shape) + " holds " + n
                    + " values, but the row has " + width);
        }
        return shape.length == 1 ? null : shape.clone();
    }

    /**
     * The shape of the row: {@code [width]} for a plain row, {@code [d1, d2, ...]} for a row of an
     * obsm entry of shape {@code (n_obs, d1, d2, ...)}. A copy.
     */
    public int[] shape() {
        return shape == null ? new int[] {width} : shape.clone();
    }

    /** The number of dimensions of {@link #shape()}: 1, or 2 and more for an N-D obsm row. */
    public int ndim() {
        return shape == null ? 1 : shape.length;
    }

    /**
     * The dense values folded to {@link #shape()}: for a plain row the primitive array of {@link
     * #dense()} itself; otherwise nested Java arrays ({@code float[d1][d2]} for a row of shape
     * {@code (d1, d2)}, and so on), a new copy on each call.
     */
    public Object nestedDense() {
        Object flat = dense();
        return shape == null ? flat : nest(flat, shape);
    }

    /**
     * A flat primitive array (C order) folded to nested Java arrays of {@code shape}: {@code
     * float[d1][d2]} for a {@code float[]} of {@code d1 * d2} values and shape {@code (d1, d2)}; the
     * array itself for a shape of one dimension.
     *
     * @throws IllegalArgumentException if the shape does not hold exactly the array's values
     */
    public static Object nest(Object flat, int[] shape) {
        if (checkShape(shape, Values.length(flat)) == null) {
            return flat;
        }
        Object nested = java.lang.reflect.Array.newInstance(flat.getClass().getComponentType(), shape);
        fold(flat, shape, nested, 0, 0);
        return nested;
    }

    /** Copies the flat values from {@code pos} into {@code nested} (at depth {@code dim}); returns the next pos. */
    private static int fold(Object flat, int[] shape, Object nested, int dim, int pos) {
        int n = shape[dim];
        if (dim == shape.length - 1) {
            System.arraycopy(flat, pos, nested, 0, n);
            return pos + n;
        }
        Object[] parts = (Object[]) nested;
        for (int i = 0; i < n; i++) {
            pos = fold(flat, shape, parts[i], dim + 1, pos);
        }
        return pos;
    }

    /** The element type of the values (the output dtype, or the stored type). */
    public DataType type() {
        return type;
    }

    /** The length of the dense form. */
    public int width() {
        return width;
    }

    /** Whether this row was produced in sparse form (both forms are always available). */
    public boolean isSparse() {
        return indices != null;
    }

    /** The dense form: a primitive array of {@link #width()} values. */
    public Object dense() {
        Object d = dense;
        if (d != null) {
            return d;
        }
        if (entryColumns != null) {
            d = Kernels.scatter(entryValues, 0, entryColumns.length, entryColumns, null, width);
            dense = d; // volatile: safely published to other readers of this row
            return d;
        }
        return Kernels.scatter(values, 0, indices.length, indices, null, width);
    }

    /** The sparse form's column indices, ascending. */
    public int[] indices() {
        return indices != null ? indices : Kernels.nonZeroPositions(dense());
    }

    /** The sparse form's values, parallel to {@link #indices()}. */
    public Object values() {
        if (values != null) {
            return values;
        }
        Object d = dense();
        int[] pos = Kernels.nonZeroPositions(d);
        return Kernels.gather(d, 0, pos, pos.length);
    }

    /** This row in sparse form (of the same shape). */
    public MatrixRow toSparse() {
        return indices != null ? this : new MatrixRow(type, width, shape, null, indices(), values(), null, null);
    }

    /** This row in dense form (of the same shape). */
    public MatrixRow toDense() {
        return indices == null ? this : new MatrixRow(type, width, shape, dense(), null, null, null, null);
    }

    /** The dense values as doubles (booleans as 0/1), for printing and tests. */
    public double[] toDoubles() {
        Object d = dense();
        double[] out = new double[width];
        for (int i = 0; i < width; i++) {
            out[i] = Values.asDouble(d, i);
        }
        return out;
    }

    @Override
    public String toString() {
        Object d = dense();
        String shown = width <= 16 ? arrayString(d) : width + " values";
        return type.numpyName() + (shape == null ? "" : java.util.Arrays.toString(shape)) + shown;
    }

    private static String arrayString(Object a) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Values.length(a); i++) {
            sb.append(i == 0 ? "" : ", ").append(java.lang.reflect.Array.get(a, i));
        }
        return sb.append(']').toString();
    }
}
