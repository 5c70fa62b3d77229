package io.github.flinkanndata.examples.features;

import java.util.Arrays;

/**
 * Running per-gene mean and variance of one group of cells (Welford's algorithm), over dense
 * vectors of which only the non-zero entries are passed in.
 *
 * <p><b>Zeros count.</b> Every added cell contributes a value to every gene: its stored value,
 * or 0 for a gene the sparse row does not list. So after {@code n} cells, {@link #mean(int)} and
 * {@link #variance(int)} are exactly those of the {@code n} dense values of the gene, as a
 * two-pass computation over the dense rows would give them (up to float rounding).
 *
 * <p><b>Sparse updates.</b> Folding the implicit zeros in one by one would cost the full gene
 * count per cell. Instead gene {@code j} remembers how many cells it has folded in ({@code
 * seen[j]}); when it next gets a value, or when {@link #settle()} is called, the zeros it missed
 * are folded in at once as a batch of {@code k} zeros (mean 0, M2 0) with Chan et al.'s merge of
 * two Welford accumulators. That is the same merge {@link #merge(GeneStats)} uses, so an update
 * costs the row's stored entries only.
 *
 * <p>Public mutable fields so that Flink's POJO serializer stores it in keyed state without
 * falling back to Kryo; not thread-safe.
 */
public final class GeneStats {
    /** Cells added. */
    public long count;
    /** Per gene: the mean over the first {@code seen[j]} cells. */
    public double[] mean;
    /** Per gene: the sum of squared deviations from the mean over the first {@code seen[j]} cells. */
    public double[] m2;
    /** Per gene: cells folded into {@code mean[j]} and {@code m2[j]}; the rest were zeros. */
    public long[] seen;

    /** For Flink's POJO serializer. */
    public GeneStats() {}

    /** Empty statistics over {@code genes} genes. */
    public GeneStats(int genes) {
        this.mean = new double[genes];
        this.m2 = new double[genes];
        this.seen = new long[genes];
    }

    public int genes() {
        return mean.length;
    }

    /**
     * Adds one cell given by its non-zero entries: {@code indices} ascending and distinct, {@code
     * values} parallel to them (explicit zeros are allowed and count as any value).
     */
    public void add(int[] indices, double[] values) {
        count++;
        for (int k = 0; k < indices.length; k++) {
            int j = indices[k];
            foldZeros(j, count - 1);
            double x = values[k];
            // Welford: n = seen[j] + 1 = count
            seen[j] = count;
            double delta = x - mean[j];
            mean[j] += delta / count;
            m2[j] += delta * (x - mean[j]);
        }
    }

    /** Folds the zeros gene {@code j} missed up to cell {@code upTo} into its accumulator. */
    private void foldZeros(int j, long upTo) {
        long zeros = upTo - seen[j];
        if (zeros > 0 && seen[j] > 0) {
            // merge(seen, mean, m2, zeros, 0, 0) written out: no allocation on the hot path
            double share = zeros / (double) upTo;
            double m = mean[j];
            m2[j] += m * m * (seen[j] * share);
            mean[j] = m - m * share;
        }
        seen[j] = upTo;
    }

    /** Brings every gene up to date with {@link #count}; call before reading the statistics. */
    public void settle() {
        for (int j = 0; j < seen.length; j++) {
            foldZeros(j, count);
        }
    }

    /**
     * Adds all cells of {@code other} (same genes) to this one, as if they had been added here:
     * the combination of two partial accumulators computed in parallel.
     */
    public void merge(GeneStats other) {
        if (other.genes() != genes()) {
            throw new IllegalArgumentException(
                    "cannot merge statistics over " + other.genes() + " genes into " + genes() + " genes");
        }
        settle();
        other.settle();
        for (int j = 0; j < mean.length; j++) {
            double[] merged = merge(count, mean[j], m2[j], other.count, other.mean[j], other.m2[j]);
            mean[j] = merged[0];
            m2[j] = merged[1];
        }
        count += other.count;
        Arrays.fill(seen, count);
    }

    /**
     * Chan, Golub and LeVeque's pairwise combination of two (count, mean, M2) accumulators;
     * returns {mean, M2} of the union.
     */
    static double[] merge(long na, double meanA, double m2A, long nb, double meanB, double m2B) {
        if (nb == 0) {
            return new double[] {meanA, m2A};
        }
        if (na == 0) {
            return new double[] {meanB, m2B};
        }
        double n = (double) na + nb;
        double delta = meanB - meanA;
        return new double[] {meanA + delta * (nb / n), m2A + m2B + delta * delta * (na * (nb / n))};
    }

    /** The mean of gene {@code j} over all cells (after {@link #settle()}). */
    public double mean(int j) {
        return mean[j];
    }

    /**
     * The sample variance of gene {@code j} (divisor {@code count - 1}, as scanpy's {@code
     * highly_variable_genes}), after {@link #settle()}; NaN for fewer than two cells.
     */
    public double variance(int j) {
        return count < 2 ? Double.NaN : m2[j] / (count - 1);
    }
}
