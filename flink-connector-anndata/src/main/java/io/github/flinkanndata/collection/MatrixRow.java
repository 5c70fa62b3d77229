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
 */
public final class MatrixRow {
    private final DataType type;
    private final int width;
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
        this.type = type;
        this.width = width;
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

    /** This row in sparse form. */
    public MatrixRow toSparse() {
        return indices != null ? this : sparse(type, width, indices(), values());
    }

    /** This row in dense form. */
    public MatrixRow toDense() {
        return indices == null ? this : dense(type, dense());
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
        return type.numpyName() + shown;
    }

    private static String arrayString(Object a) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Values.length(a); i++) {
            sb.append(i == 0 ? "" : ", ").append(java.lang.reflect.Array.get(a, i));
        }
        return sb.append(']').toString();
    }
}
