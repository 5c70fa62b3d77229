package io.github.flinkanndata.examples.training;

import java.util.Arrays;

/**
 * Running per-feature standard deviations, for standardising a stream without a first pass.
 *
 * <p>Features are divided by their standard deviation but not centred, as scikit-learn's {@code
 * StandardScaler(with_mean=False)} does for sparse input: centring would turn every zero into a
 * non-zero and make each step cost O(features) instead of O(non-zeros). Zeros contribute nothing
 * to the sums, so {@link #add} touches only the stored entries. A feature with (near) zero variance
 * so far keeps scale 1.
 */
final class RunningScale {
    private static final double MIN_STD = 1e-8;

    private long count;
    private final double[] sum;
    private final double[] sumSquares;

    RunningScale(int features) {
        this(0, new double[features], new double[features]);
    }

    /** From its parts (for the codec); the arrays are taken, not copied. */
    RunningScale(long count, double[] sum, double[] sumSquares) {
        if (sum.length != sumSquares.length) {
            throw new IllegalArgumentException("sum and sumSquares differ in length");
        }
        this.count = count;
        this.sum = sum;
        this.sumSquares = sumSquares;
    }

    void add(SparseVector x) {
        count++;
        for (int i = 0; i < x.nnz(); i++) {
            double v = x.values()[i];
            sum[x.indices()[i]] += v;
            sumSquares[x.indices()[i]] += v * v;
        }
    }

    /** The population standard deviation of feature {@code j} so far, or 1 if it is (near) zero. */
    double scale(int j) {
        if (count < 2) {
            return 1;
        }
        double mean = sum[j] / count;
        double variance = Math.max(0, sumSquares[j] / count - mean * mean);
        double std = Math.sqrt(variance);
        return std > MIN_STD ? std : 1;
    }

    long count() {
        return count;
    }

    double[] sum() {
        return sum;
    }

    double[] sumSquares() {
        return sumSquares;
    }

    RunningScale copy() {
        return new RunningScale(count, sum.clone(), sumSquares.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunningScale && ((RunningScale) o).count == count
                && Arrays.equals(((RunningScale) o).sum, sum) && Arrays.equals(((RunningScale) o).sumSquares, sumSquares);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 + Arrays.hashCode(sum);
    }
}
