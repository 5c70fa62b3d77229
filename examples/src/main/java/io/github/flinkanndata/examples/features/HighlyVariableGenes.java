package io.github.flinkanndata.examples.features;

import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Highly variable genes of a group: the {@code k} genes with the largest dispersion, {@code
 * variance / mean} of the normalised values, from the group's running statistics.
 *
 * <p>Genes with mean 0 (never expressed in the group) have no dispersion and are never chosen,
 * so fewer than {@code k} genes come back when fewer are expressed; a group of fewer than two
 * cells has no variance and no highly variable genes. Ties are broken by gene position
 * (ascending), so the choice is deterministic. This is the plain dispersion ranking, not
 * scanpy's binned, z-scored one.
 */
final class HighlyVariableGenes {
    private HighlyVariableGenes() {}

    /** Gene positions of the top {@code k}, by dispersion descending; {@code stats} must be settled. */
    static int[] top(GeneStats stats, int k) {
        if (stats.count < 2 || k <= 0) {
            return new int[0];
        }
        double[] dispersion = new double[stats.genes()];
        for (int j = 0; j < dispersion.length; j++) {
            dispersion[j] = dispersion(stats, j);
        }
        return IntStream.range(0, dispersion.length)
                .filter(j -> !Double.isNaN(dispersion[j]))
                .boxed()
                .sorted(Comparator.<Integer>comparingDouble(j -> dispersion[j]).reversed()
                        .thenComparing(Comparator.naturalOrder()))
                .limit(k)
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** {@code variance / mean} of gene {@code j}; NaN when the mean is 0 or there is no variance. */
    static double dispersion(GeneStats stats, int j) {
        double mean = stats.mean(j);
        return mean > 0 ? stats.variance(j) / mean : Double.NaN;
    }
}
