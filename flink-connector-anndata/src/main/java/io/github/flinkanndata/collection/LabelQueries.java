package io.github.flinkanndata.collection;

import io.github.flinkanndata.collection.LabelStrings.ArrayKind;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.Column;
import io.github.flinkanndata.format.tree.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code get_merged_labels} and {@code get_label_weights} (docs/semantics.md §8.2, §9), always aligned
 * with the global index: samples of a store without the key get MISSING (lamindb skips such
 * stores and returns a shorter, misaligned result: D1). The filter applies. Stateless.
 */
final class LabelQueries {
    /** The merged labels of one key with what their rendering needs. */
    /** @param ownTypes per store; null where the store lacks the key */
    private record Merged(Object[] labels, DataType[] ownTypes, ArrayKind promoted) {}

    private LabelQueries() {}

    static List<Object> mergedLabels(String key, CollectionPlan plan, ObsColumns columns)
            throws AnnDataFormatException {
        return Arrays.asList(merge(key, plan, columns).labels);
    }

    private static Merged merge(String key, CollectionPlan plan, ObsColumns columns) throws AnnDataFormatException {
        Object[] labels = new Object[Math.toIntExact(plan.size())];
        DataType[] types = new DataType[plan.storeCount()];
        List<ArrayKind> kinds = new ArrayList<>();
        boolean any = false;
        for (int s = 0; s < plan.storeCount(); s++) {
            StorePlan sp = plan.store(s);
            int base = (int) plan.offset(s);
            Column c = columns.column(s, key);
            if (c == null) {
                Arrays.fill(labels, base, base + (int) sp.keptRows(), Missing.MISSING);
                continue;
            }
            any = true;
            types[s] = c.valueType();
            kinds.add(LabelStrings.kindOf(c));
            for (int p = 0; p < sp.keptRows(); p++) {
                Object label = c.label((int) sp.row(p));
                labels[base + p] = label == null ? Missing.MISSING : label;
            }
        }
        if (!any) {
            throw new IllegalArgumentException(
                    "obs key '" + key + "' is in none of the " + plan.storeCount() + " stores");
        }
        return new Merged(labels, types, LabelStrings.promote(kinds));
    }

    /** The class string of every sample: rendered labels of the keys joined by {@code __}. */
    private static String[] classes(List<String> keys, CollectionPlan plan, ObsColumns columns)
            throws AnnDataFormatException {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("label weights need at least one obs key");
        }
        String[] out = new String[Math.toIntExact(plan.size())];
        for (String key : keys) {
            Merged m = merge(key, plan, columns);
            for (int s = 0; s < plan.storeCount(); s++) {
                long end = plan.offset(s + 1);
                for (int g = (int) plan.offset(s); g < end; g++) {
                    String str = LabelStrings.render(m.labels[g], m.promoted, m.ownTypes[s]);
                    out[g] = out[g] == null ? str : out[g] + "__" + str;
                }
            }
        }
        return out;
    }

    /** One weight per sample: {@code 1/count} or {@code scaler/(count + scaler)}. */
    static double[] weights(List<String> keys, Double scaler, CollectionPlan plan, ObsColumns columns)
            throws AnnDataFormatException {
        String[] classes = classes(keys, plan, columns);
        Map<String, Integer> counts = new HashMap<>();
        for (String c : classes) {
            counts.merge(c, 1, Integer::sum);
        }
        double[] out = new double[classes.length];
        for (int g = 0; g < classes.length; g++) {
            out[g] = weight(counts.get(classes[g]), scaler);
        }
        return out;
    }

    /** Class string → weight, in first-seen order ({@code return_categories=True}). */
    static LinkedHashMap<String, Double> weightsByClass(List<String> keys, Double scaler, CollectionPlan plan,
            ObsColumns columns) throws AnnDataFormatException {
        LinkedHashMap<String, Integer> counts = new LinkedHashMap<>();
        for (String c : classes(keys, plan, columns)) {
            counts.merge(c, 1, Integer::sum);
        }
        LinkedHashMap<String, Double> out = new LinkedHashMap<>();
        counts.forEach((c, n) -> out.put(c, weight(n, scaler)));
        return out;
    }

    private static double weight(int count, Double scaler) {
        return scaler == null ? 1.0 / count : scaler / (count + scaler);
    }
}
