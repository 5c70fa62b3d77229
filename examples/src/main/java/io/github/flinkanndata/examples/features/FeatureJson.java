package io.github.flinkanndata.examples.features;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * The JSON lines the pipeline writes, one object per line (see {@code docs/features.md}). A
 * label is written as its text, or null for the group of cells without a label. Doubles are
 * written with full precision, so a reader gets back the exact values.
 */
final class FeatureJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FeatureJson() {}

    /** {@code qc.jsonl}: one cell's QC features. */
    static String qc(CellFeatures f) {
        ObjectNode n = JSON.createObjectNode();
        n.put("_global_idx", f.globalIndex);
        n.put("_store_idx", f.storeIndex);
        n.put("label", CellFeatures.labelOf(f.group));
        n.put("library_size", f.librarySize);
        n.put("genes_detected", f.genesDetected);
        n.put("mito_fraction", f.mitoFraction);
        return write(n);
    }

    /** {@code normalized.jsonl}: one cell's normalised sparse row. */
    static String normalized(CellFeatures f) {
        ObjectNode n = JSON.createObjectNode();
        n.put("_global_idx", f.globalIndex);
        n.put("label", CellFeatures.labelOf(f.group));
        ArrayNode idx = n.putArray("indices");
        for (int j : f.indices) {
            idx.add(j);
        }
        ArrayNode values = n.putArray("values");
        for (double v : f.values) {
            values.add(v);
        }
        return write(n);
    }

    /** {@code gene_stats.jsonl}: a group's per-gene mean and sample variance ({@code stats} settled). */
    static String geneStats(String group, GeneStats stats, GeneCatalog genes) {
        ObjectNode n = JSON.createObjectNode();
        n.put("label", CellFeatures.labelOf(group));
        n.put("cells", stats.count);
        ArrayNode names = n.putArray("genes");
        ArrayNode mean = n.putArray("mean");
        for (int j = 0; j < genes.size(); j++) {
            names.add(genes.name(j));
            mean.add(stats.mean(j));
        }
        if (stats.count < 2) {
            n.putNull("variance");
        } else {
            ArrayNode variance = n.putArray("variance");
            for (int j = 0; j < genes.size(); j++) {
                variance.add(stats.variance(j));
            }
        }
        return write(n);
    }

    /** {@code hvg.jsonl}: a group's highly variable genes, most variable first ({@code stats} settled). */
    static String hvg(String group, GeneStats stats, int[] top, boolean last, GeneCatalog genes) {
        ObjectNode n = JSON.createObjectNode();
        n.put("label", CellFeatures.labelOf(group));
        n.put("cells", stats.count);
        n.put("final", last);
        ArrayNode names = n.putArray("genes");
        ArrayNode indices = n.putArray("indices");
        ArrayNode dispersion = n.putArray("dispersion");
        ArrayNode mean = n.putArray("mean");
        ArrayNode variance = n.putArray("variance");
        for (int j : top) {
            names.add(genes.name(j));
            indices.add(j);
            dispersion.add(HighlyVariableGenes.dispersion(stats, j));
            mean.add(stats.mean(j));
            variance.add(stats.variance(j));
        }
        return write(n);
    }

    private static String write(ObjectNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
