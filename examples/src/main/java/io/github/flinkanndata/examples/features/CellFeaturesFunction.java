package io.github.flinkanndata.examples.features;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.examples.common.StoredValues;
import io.github.flinkanndata.source.record.CellRecord;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Per-cell QC and normalisation, on the sparse row of one matrix (X or a layer of counts).
 *
 * <ul>
 *   <li><b>library size</b>: the sum of the row's values;
 *   <li><b>genes detected</b>: the number of non-zero values (explicit zeros stored in a CSR
 *       matrix do not count);
 *   <li><b>mito fraction</b>: the sum over mitochondrial genes divided by the library size; null
 *       when no gene is mitochondrial or the library size is 0;
 *   <li><b>normalised row</b>: {@code log1p(x * targetSum / librarySize)} for each non-zero value
 *       {@code x} (counts per {@code targetSum}, then log1p). Zeros stay zero, so the row stays
 *       sparse; a cell without counts has an empty row.
 * </ul>
 *
 * Counts must be finite and non-negative: a negative value means the matrix holds scaled data (as
 * the X of many published stores does), and the job fails naming the cell rather than writing
 * meaningless features.
 */
final class CellFeaturesFunction implements MapFunction<CellRecord, CellFeatures> {
    private static final long serialVersionUID = 1L;

    private final String layer;
    private final String labelKey;
    private final GeneCatalog genes;
    private final double targetSum;

    CellFeaturesFunction(String layer, String labelKey, GeneCatalog genes, double targetSum) {
        this.layer = layer;
        this.labelKey = labelKey;
        this.genes = genes;
        this.targetSum = targetSum;
    }

    @Override
    public CellFeatures map(CellRecord r) {
        MatrixRow row = r.matrix(layer);
        if (row == null) {
            throw new IllegalStateException("store " + r.storeIndex() + " has no matrix '" + layer + "' (cell "
                    + r.globalIndex() + ")");
        }
        if (row.width() != genes.size()) {
            throw new IllegalStateException("cell " + r.globalIndex() + " of store " + r.storeIndex() + " has "
                    + row.width() + " genes in '" + layer + "', the gene list " + genes.size());
        }
        int[] idx = row.indices();
        double[] stored = StoredValues.asDoubles(row.values());
        double library = 0;
        double mito = 0;
        int detected = 0;
        for (int k = 0; k < idx.length; k++) {
            double x = stored[k];
            if (!(x >= 0) || Double.isInfinite(x)) {
                throw new IllegalStateException("'" + layer + "' is not a matrix of counts: cell " + r.globalIndex()
                        + " (store " + r.storeIndex() + ", row " + r.row() + ") has " + x + " for gene "
                        + genes.name(idx[k]) + "; pass a layer of counts with --layer");
            }
            if (x != 0) {
                library += x;
                detected++;
                if (genes.isMito(idx[k])) {
                    mito += x;
                }
            }
        }
        CellFeatures f = new CellFeatures();
        f.globalIndex = r.globalIndex();
        f.storeIndex = r.storeIndex();
        f.group = CellFeatures.groupOf(r.obs(labelKey));
        f.librarySize = library;
        f.genesDetected = detected;
        f.mitoFraction = genes.hasMito() && library > 0 ? mito / library : null;
        f.indices = new int[detected];
        f.values = new double[detected];
        int out = 0;
        for (int k = 0; k < idx.length; k++) {
            double x = stored[k];
            if (x != 0) {
                f.indices[out] = idx[k];
                f.values[out] = Math.log1p(x * targetSum / library);
                out++;
            }
        }
        return f;
    }
}
