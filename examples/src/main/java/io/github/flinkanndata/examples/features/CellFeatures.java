package io.github.flinkanndata.examples.features;

import io.github.flinkanndata.collection.Missing;
import javax.annotation.Nullable;

/**
 * One cell after QC and normalisation: its QC features and its normalised expression as a
 * sparse row. Public mutable fields so that Flink's POJO serializer carries it between operators
 * without Kryo; treat as immutable once emitted.
 */
public final class CellFeatures {
    /**
     * The group of cells whose label is missing (a missing value, or a store without the label
     * column). A NUL character cannot occur in a label read from a store in practice, so the key
     * never collides with a real label.
     */
    static final String MISSING_GROUP = "\u0000missing";

    /** The cell's global index in the collection. */
    public long globalIndex;
    /** The cell's store ({@code _store_idx}). */
    public int storeIndex;
    /** The key of its cell-type group: the label's text, or {@link #MISSING_GROUP}. */
    public String group;
    /** Library size: the sum of the cell's counts. */
    public double librarySize;
    /** Genes detected: the number of genes with a non-zero count. */
    public int genesDetected;
    /** Counts of mitochondrial genes over the library size; null without such genes or counts. */
    @Nullable public Double mitoFraction;
    /** Genes with a non-zero normalised value, ascending. */
    public int[] indices;
    /** Normalised values, {@code log1p(count * targetSum / librarySize)}, parallel to {@link #indices}. */
    public double[] values;

    /** For Flink's POJO serializer. */
    public CellFeatures() {}

    /** The group key of a label as the record carries it (null when the store lacks the column). */
    static String groupOf(@Nullable Object label) {
        return label == null || Missing.isMissing(label)
                ? MISSING_GROUP : String.valueOf(label);
    }

    /** The label of a group key, null for the missing group. */
    @Nullable
    static String labelOf(String group) {
        return MISSING_GROUP.equals(group) ? null : group;
    }
}
