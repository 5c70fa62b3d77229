package io.github.flinkanndata.examples.features;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The pipeline's outputs computed directly, the plain way: every cell read with {@link
 * AnnDataCollection#get}, densified, normalised in a loop, and the per-gene statistics in two
 * passes (mean first, then the squared deviations). Shares no code with the pipeline.
 */
final class DirectFeatures {
    /** One cell: QC features and its dense normalised row. */
    static final class Cell {
        final long index;
        final int store;
        final String label; // null when missing
        final double library;
        final int detected;
        final Double mito;
        final double[] normalized;

        Cell(long index, int store, String label, double library, int detected, Double mito, double[] normalized) {
            this.index = index;
            this.store = store;
            this.label = label;
            this.library = library;
            this.detected = detected;
            this.mito = mito;
            this.normalized = normalized;
        }
    }

    final List<String> genes;
    final List<Cell> cells = new ArrayList<>();

    /**
     * Reads the collection of {@code options} (which must request {@code layer} and {@code
     * labelKey}, labels not encoded); gene names from the joint var list, or {@code storeGenes}
     * without a join.
     */
    DirectFeatures(CollectionOptions options, String layer, String labelKey, String mitoPrefix, double targetSum,
            List<String> storeGenes) throws Exception {
        try (AnnDataCollection c = AnnDataCollection.open(options)) {
            genes = c.varJoint() != null ? c.varJoint() : storeGenes;
            String prefix = mitoPrefix.toUpperCase(Locale.ROOT);
            boolean anyMito = genes.stream().anyMatch(g -> g.toUpperCase(Locale.ROOT).startsWith(prefix));
            for (long i = 0; i < c.size(); i++) {
                Sample s = c.get(i);
                double[] x = s.layer(layer).toDoubles();
                double library = 0;
                double mito = 0;
                int detected = 0;
                for (int j = 0; j < x.length; j++) {
                    library += x[j];
                    if (x[j] != 0) {
                        detected++;
                    }
                    if (genes.get(j).toUpperCase(Locale.ROOT).startsWith(prefix)) {
                        mito += x[j];
                    }
                }
                double[] norm = new double[x.length];
                for (int j = 0; j < x.length; j++) {
                    norm[j] = x[j] == 0 ? 0 : Math.log1p(x[j] * targetSum / library);
                }
                Object label = s.obs(labelKey);
                cells.add(new Cell(i, s.storeIndex(), label == null || Missing.isMissing(label) ? null : label.toString(),
                        library, detected, anyMito && library > 0 ? mito / library : null, norm));
            }
        }
    }

    /** The cells of each label (null key: missing), in global-index order. */
    Map<String, List<Cell>> byLabel() {
        Map<String, List<Cell>> out = new LinkedHashMap<>();
        for (Cell c : cells) {
            out.computeIfAbsent(c.label, k -> new ArrayList<>()).add(c);
        }
        return out;
    }

    /** Two-pass per-gene statistics of some cells: {mean[], sample variance[]}. */
    static double[][] stats(List<Cell> group, int genes) {
        double[] mean = new double[genes];
        double[] var = new double[genes];
        for (Cell c : group) {
            for (int j = 0; j < genes; j++) {
                mean[j] += c.normalized[j];
            }
        }
        for (int j = 0; j < genes; j++) {
            mean[j] /= group.size();
        }
        for (Cell c : group) {
            for (int j = 0; j < genes; j++) {
                double d = c.normalized[j] - mean[j];
                var[j] += d * d;
            }
        }
        for (int j = 0; j < genes; j++) {
            var[j] = group.size() < 2 ? Double.NaN : var[j] / (group.size() - 1);
        }
        return new double[][] {mean, var};
    }

    /** Dispersions (variance / mean; NaN for mean 0) of some cells. */
    static double[] dispersions(List<Cell> group, int genes) {
        double[][] s = stats(group, genes);
        double[] d = new double[genes];
        for (int j = 0; j < genes; j++) {
            d[j] = s[0][j] > 0 ? s[1][j] / s[0][j] : Double.NaN;
        }
        return d;
    }

    /** The top k gene positions by dispersion (descending, ties by position). */
    static int[] topK(double[] dispersion, int k) {
        return IntStream.range(0, dispersion.length).filter(j -> !Double.isNaN(dispersion[j])).boxed()
                .sorted(Comparator.comparingDouble((Integer j) -> -dispersion[j]).thenComparingInt(j -> j))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        return "DirectFeatures{" + cells.size() + " cells, genes " + Arrays.toString(genes.toArray()) + "}";
    }
}
