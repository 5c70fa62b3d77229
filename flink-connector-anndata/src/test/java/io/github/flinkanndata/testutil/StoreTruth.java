package io.github.flinkanndata.testutil;

import io.github.flinkanndata.collection.AnnDataCollection;
import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.format.AnnDataStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one store holds, read alone and without any join or encoding (rows exactly as stored, raw
 * labels), and the projection of its rows onto a gene list by name: the expectations of the
 * growing-collection tests, computed without the code under test's gene mapping or encoders.
 */
public final class StoreTruth {
    public final List<String> vars;
    public final List<double[]> rows;
    public final List<Object> labels;

    private StoreTruth(List<String> vars, List<double[]> rows, List<Object> labels) {
        this.vars = vars;
        this.rows = rows;
        this.labels = labels;
    }

    /** Reads X and the raw {@code labelKey} column of every row of {@code store}. */
    public static StoreTruth read(Path store, String labelKey) throws Exception {
        List<String> vars;
        try (AnnDataStore s = AnnDataStore.open(store)) {
            vars = s.var().index();
        }
        CollectionOptions o = CollectionOptions.builder(store.toString()).obsKeys(labelKey).encodeLabels(false)
                .join((String) null).build();
        List<double[]> rows = new ArrayList<>();
        List<Object> labels = new ArrayList<>();
        try (AnnDataCollection c = AnnDataCollection.open(o)) {
            for (Sample s : c.getRange(0, c.size(), false)) {
                rows.add(s.layer("X").toDoubles());
                labels.add(s.obs(labelKey));
            }
        }
        return new StoreTruth(vars, rows, labels);
    }

    /** Row {@code r} projected onto {@code space}: the value of the same-named gene, or 0. */
    public double[] projected(int r, List<String> space) {
        Map<String, Integer> at = new HashMap<>();
        for (int k = 0; k < vars.size(); k++) {
            at.put(vars.get(k), k);
        }
        double[] out = new double[space.size()];
        for (int j = 0; j < out.length; j++) {
            Integer k = at.get(space.get(j));
            out[j] = k == null ? 0 : rows.get(r)[k];
        }
        return out;
    }

    /** How many of this store's genes are not in {@code space}. */
    public long outside(List<String> space) {
        return vars.stream().filter(v -> !space.contains(v)).count();
    }
}
