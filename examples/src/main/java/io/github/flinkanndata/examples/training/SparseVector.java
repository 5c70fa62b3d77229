package io.github.flinkanndata.examples.training;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.examples.common.StoredValues;

/**
 * A learner input: the non-zero features of one cell as column indices (distinct, each in {@code
 * [0, width)}) and values. Immutable by convention.
 */
public record SparseVector(int width, int[] indices, double[] values) {

    public SparseVector {
        if (indices.length != values.length) {
            throw new IllegalArgumentException(indices.length + " indices but " + values.length + " values");
        }
    }

    /** The sparse form of a matrix row (any numeric type), values as doubles. */
    public static SparseVector of(MatrixRow row) {
        return new SparseVector(row.width(), row.indices(), StoredValues.asDoubles(row.values()));
    }

    /** A vector from a dense array, keeping the non-zero entries. */
    public static SparseVector ofDense(double... dense) {
        int n = 0;
        for (double v : dense) {
            n += v != 0 ? 1 : 0;
        }
        int[] indices = new int[n];
        double[] values = new double[n];
        for (int j = 0, k = 0; j < dense.length; j++) {
            if (dense[j] != 0) {
                indices[k] = j;
                values[k++] = dense[j];
            }
        }
        return new SparseVector(dense.length, indices, values);
    }

    /** Number of stored entries. */
    public int nnz() {
        return indices.length;
    }
}
