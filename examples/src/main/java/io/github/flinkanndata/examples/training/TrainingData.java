package io.github.flinkanndata.examples.training;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.LabelEncoder;
import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.examples.common.JobRuntime;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * What the job needs to know about a collection before it starts, read from the collection's plan
 * on the client: the number of cells per epoch, the number of features, the classes (the label
 * encoder's codes {@code 0..K-1} and their labels) and the majority-class rate (the accuracy of
 * always guessing the most frequent label: the bar a classifier has to clear).
 *
 * @param cells cells per epoch (after the obs filter)
 * @param features width of the feature matrix (joint genes under a join)
 * @param classes label of each code, by code
 * @param genes feature names, or null when the collection has no joint gene list
 * @param majorityRate share of the most frequent label among labelled cells
 * @param majorityLabel the most frequent label
 */
public record TrainingData(long cells, int features, List<String> classes, @Nullable List<String> genes,
        double majorityRate, String majorityLabel) {

    /**
     * Opens the collection (metadata, the label column and the first cell) and reads its shape
     * and classes; paths are read as {@code runtime} reads them.
     */
    public static TrainingData inspect(JobRuntime runtime, CollectionOptions options, String labelKey, String layer)
            throws AnnDataFormatException {
        try (AnnDataCollection c = runtime.open(options)) {
            if (c.size() == 0) {
                throw new IllegalArgumentException("the collection " + options.paths() + " has no cells");
            }
            LabelEncoder encoder = c.encoders().get(labelKey);
            if (encoder == null) {
                throw new IllegalArgumentException("no label encoder for obs key '" + labelKey + "' in "
                        + options.paths() + "; is it an obs column?");
            }
            String[] names = new String[encoder.size()];
            int classes = 0;
            for (Map.Entry<Object, Integer> e : encoder.asMap().entrySet()) {
                if (e.getValue() >= 0) { // -1 is the unknown label, never a class
                    names[e.getValue()] = String.valueOf(e.getKey());
                    classes++;
                }
            }
            if (classes == 0) {
                throw new IllegalArgumentException("obs key '" + labelKey + "' has no labels in " + options.paths()
                        + "; is it an obs column?");
            }
            if (classes == 1) {
                throw new IllegalArgumentException("obs key '" + labelKey + "' has one class; a classifier needs two");
            }
            MatrixRow first = c.get(0).layer(layer);
            if (first == null) {
                throw new IllegalArgumentException("the first cell has no matrix '" + layer + "'");
            }
            List<String> genes = c.varJoint();
            if (genes != null && genes.size() != first.width()) {
                genes = null; // a layer whose columns are not the joint genes (raw.X)
            }
            Map<Object, Integer> counts = new HashMap<>();
            int labelled = 0;
            for (Object label : c.mergedLabels(labelKey)) {
                if (!Missing.isMissing(label)) {
                    counts.merge(label, 1, Integer::sum);
                    labelled++;
                }
            }
            Map.Entry<Object, Integer> majority = counts.entrySet().stream()
                    .max(Map.Entry.comparingByValue()).orElseThrow();
            return new TrainingData(c.size(), first.width(),
                    List.of(Arrays.copyOf(names, classes)),
                    genes == null ? null : List.copyOf(genes),
                    (double) majority.getValue() / labelled, String.valueOf(majority.getKey()));
        }
    }
}
