package io.github.flinkanndata.collection;

import io.github.flinkanndata.annotation.Internal;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.MatrixElement;
import io.github.flinkanndata.format.MatrixLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Builds a {@link CollectionPlan} from opened stores, following docs/semantics.md §2.1 steps 7-11 in
 * order (steps 1-5 are {@link CollectionOptionsBuilder#build()}, step 6 is the caller's):
 * key inventory, categories and encoders (before, and independent of, the filter), per store
 * X, row count, filter and CSC checks, the global index, then the variable join.
 *
 * <p>Reads metadata, whole obs columns for the filter and the encoded keys, and var names when
 * a join is requested; never matrix rows. Stateless; the stores are not closed here.
 */
@Internal
public final class CollectionPlanner {
    private CollectionPlanner() {}

    /**
     * Plans a collection over {@code stores}, opened from {@code options.paths()} in order.
     *
     * @throws CollectionException for a store without X, a CSC (or dataframe) element that
     *     would have to be read by row, no shared variables under an inner join, duplicate var
     *     names under a join, an encoded key mixing strings and numbers
     * @throws AnnDataFormatException when a store cannot be decoded
     */
    public static CollectionPlan plan(CollectionOptions options, List<AnnDataStore> stores)
            throws AnnDataFormatException {
        if (stores.size() != options.paths().size()) {
            throw new IllegalArgumentException(stores.size() + " stores for " + options.paths().size() + " paths");
        }
        List<String> paths = options.paths();
        ObsColumns columns = new ObsColumns(stores);
        // the option labels meet the stores: text labels typed by their column, warnings (D17, D18)
        OptionLabels.Result checked = OptionLabels.check(options, stores, columns);
        options = checked.options;
        List<String> warnings = new ArrayList<>(checked.warnings);
        // step 8 (step 7, the inventory, is each store's own listing, read on demand)
        Map<String, LabelEncoder> encoders = new LinkedHashMap<>();
        Map<String, List<Object>> categories = new LinkedHashMap<>();
        if (options.obsKeys() != null) {
            for (String key : options.encodeKeys()) {
                categories.put(key, MergedCategories.merge(key, columns, paths));
            }
        }
        options = typedUnknownLabels(options, categories);
        for (Map.Entry<String, List<Object>> e : categories.entrySet()) {
            encoders.put(e.getKey(), LabelEncoder.build(e.getKey(), e.getValue(), options.unknownLabelFor(e.getKey())));
        }
        warnings.addAll(OptionLabels.unknownLabelWarnings(options, categories));
        // step 9
        List<StorePlan> plans = new ArrayList<>();
        List<long[]> layerWidths = new ArrayList<>();
        for (int s = 0; s < stores.size(); s++) {
            long[] widths = new long[options.layersKeys().size()];
            plans.add(planStore(options, columns, s, stores.get(s), paths.get(s), widths));
            layerWidths.add(widths);
        }
        // step 10 is the plan's offsets; step 11
        Join effective = Join.NONE;
        List<String> joint = null;
        if (options.join() != Join.NONE) {
            List<List<String>> vars = new ArrayList<>();
            for (AnnDataStore store : stores) {
                vars.add(store.var().index());
            }
            VarJoin.Result r = VarJoin.join(options.join(), vars, paths);
            effective = r.effective();
            joint = r.joint();
            for (int s = 0; r.varIndices() != null && s < plans.size(); s++) {
                plans.set(s, plans.get(s).withVarIndices(r.varIndices()[s]));
            }
            if (effective != Join.NONE) {
                checkLayerWidths(options.layersKeys(), plans, layerWidths);
            }
        }
        return new CollectionPlan(options, plans, effective, joint, encoders).withWarnings(warnings);
    }

    /**
     * The unknown labels with every text label typed against its key's merged categories. One text
     * label for every key becomes a per-key map, since "1" can be a string category of one key and
     * a number of another; text labels of keys that are not encoded (they have no effect) take
     * their spelled type.
     */
    private static CollectionOptions typedUnknownLabels(CollectionOptions o, Map<String, List<Object>> categories) {
        Object one = o.unknownLabelForEveryKey();
        Map<String, Object> perKey = o.unknownLabelMap();
        boolean text = one instanceof TextLabel
                || (perKey != null && perKey.values().stream().anyMatch(v -> v instanceof TextLabel));
        if (!text) {
            return o;
        }
        Map<String, Object> typed = new LinkedHashMap<>();
        if (perKey != null) {
            perKey.forEach((k, v) -> typed.put(k, OptionLabels.resolveUnknown(v, categories.getOrDefault(k, List.of()))));
            return o.withLabels(o.obsFilter(), typed, null);
        }
        if (categories.isEmpty()) {
            return o.withLabels(o.obsFilter(), null, ((TextLabel) one).parsed());
        }
        categories.forEach((k, cats) -> typed.put(k, OptionLabels.resolveUnknown(one, cats)));
        return o.withLabels(o.obsFilter(), typed, null);
    }

    /**
     * Step 9 for store {@code s} of {@code columns}: X, row count, filter, CSC checks and which
     * requested keys the store has (no join yet). Shared with {@link CollectionGrowth}, which plans
     * a store that joins a growing collection exactly as planning would have.
     *
     * @param layerWidths filled with each requested layer's width, -1 where the store lacks it
     */
    static StorePlan planStore(CollectionOptions options, ObsColumns columns, int s, AnnDataStore store,
            String path, long[] layerWidths) throws AnnDataFormatException {
        MatrixElement x = store.x();
        if (x == null) {
            throw CollectionException.inStore(path, "X",
                    "the store has no X; every store of a collection needs one (it gives the row count)");
        }
        checkReadableByRow(x, "X", path);
        long rows = x.rows();
        int[] kept = options.obsFilter() == null ? null
                : ObsFilter.keptRows(options.obsFilter(), columns, s, rows, path);
        List<String> layersKeys = options.layersKeys();
        boolean[] hasLayer = new boolean[layersKeys.size()];
        for (int i = 0; i < layersKeys.size(); i++) {
            MatrixElement m = layer(store, layersKeys.get(i));
            hasLayer[i] = m != null;
            layerWidths[i] = m == null ? -1 : m.cols();
            if (m != null && m != x) {
                checkReadableByRow(m, layerPath(layersKeys.get(i)), path);
            }
        }
        boolean[] hasObsm = new boolean[options.obsmKeys() == null ? 0 : options.obsmKeys().size()];
        for (int i = 0; i < hasObsm.length; i++) {
            String key = options.obsmKeys().get(i);
            MatrixElement m = store.obsmKeys().contains(key) ? store.matrix("obsm/" + key) : null;
            hasObsm[i] = m != null;
            if (m != null) {
                checkReadableByRow(m, "obsm/" + key, path);
            }
        }
        boolean[] hasObs = new boolean[options.obsKeys() == null ? 0 : options.obsKeys().size()];
        for (int i = 0; i < hasObs.length; i++) {
            hasObs[i] = store.obs().has(options.obsKeys().get(i));
        }
        return new StorePlan(path, rows, kept, x.cols(), null, hasLayer, hasObsm, hasObs);
    }

    /**
     * Store {@code storeIndex} of {@code plan} with its kept rows, re-derived from {@code store}
     * if the plan holds only their count (a plan decoded by {@link CollectionPlanCodec} without
     * kept rows); otherwise the planned store as it is. The filter is evaluated exactly as
     * planning did ({@link ObsFilter} on this store alone: a store's kept rows depend on no other
     * store), so an unchanged store gives exactly the planned rows.
     *
     * <p>Reads the store's filter columns whole, as planning did. Thread-safe for distinct
     * stores; {@link SampleDecoder#create} calls it, so most callers never need to.
     *
     * @param store the store opened from {@code plan.store(storeIndex).path()}
     * @throws CollectionException naming the store ("store changed since planning") if its row
     *     count or the number of rows the filter keeps differ from the plan
     * @throws AnnDataFormatException if the store's filter columns cannot be decoded
     */
    public static StorePlan completeStore(CollectionPlan plan, int storeIndex, AnnDataStore store)
            throws AnnDataFormatException {
        StorePlan planned = plan.store(storeIndex);
        if (planned.isComplete()) {
            return planned;
        }
        MatrixElement x = store.x();
        if (x == null || x.rows() != planned.rows()) {
            throw CollectionException.inStore(planned.path(), "X", "store changed since planning: X has "
                    + (x == null ? "gone" : x.rows() + " rows") + ", the plan has " + planned.rows()
                    + " rows (opened as " + store.location() + ")");
        }
        int[] kept = ObsFilter.keptRows(plan.options().obsFilter(), new ObsColumns(List.of(store)), 0,
                planned.rows(), planned.path());
        if (kept.length != planned.keptRows()) {
            throw CollectionException.inStore(planned.path(), "obs", "store changed since planning: the obs filter "
                    + plan.options().obsFilter() + " keeps " + kept.length + " rows, the plan has "
                    + planned.keptRows() + " (opened as " + store.location() + ")");
        }
        return planned.withKeptRows(kept);
    }

    /** {@code plan} with every store completed ({@link #completeStore}); the plan itself if complete. */
    static CollectionPlan complete(CollectionPlan plan, List<AnnDataStore> stores) throws AnnDataFormatException {
        if (plan.isComplete()) {
            return plan;
        }
        List<StorePlan> completed = new ArrayList<>(plan.storeCount());
        for (int s = 0; s < plan.storeCount(); s++) {
            completed.add(completeStore(plan, s, stores.get(s)));
        }
        return plan.withStores(completed);
    }

    /** The element path of a layers key: {@code X}, {@code raw/X} or {@code layers/<k>}. */
    static String layerPath(String key) {
        return key.equals("X") ? "X" : key.equals("raw.X") ? "raw.X" : "layers/" + key;
    }

    /** The element of a layers key, or null if the store lacks it (docs/semantics.md §7.1). */
    @Nullable
    static MatrixElement layer(AnnDataStore store, String key) throws AnnDataFormatException {
        if (key.equals("X")) {
            return store.x();
        }
        if (key.equals("raw.X")) {
            return store.matrix("raw.X"); // raw/X only; a pre-0.7 root-level raw.X is absent
        }
        return store.layerKeys().contains(key) ? store.matrix("layers/" + key) : null;
    }

    private static void checkReadableByRow(MatrixElement m, String element, String path) throws CollectionException {
        if (m.layout() == MatrixLayout.CSC) {
            throw CollectionException.inStore(path, element,
                    "is a CSC matrix, which the collection does not support (it is read by row);"
                            + " store it as CSR or dense");
        }
        if (m.layout() == MatrixLayout.DATAFRAME) {
            throw CollectionException.inStore(path, element, "is a dataframe, which has no numeric rows to return");
        }
    }

    // Layers are joined with X's variables, so they must have X's width (lamindb assumes it).
    static void checkLayerWidths(List<String> keys, List<StorePlan> plans, List<long[]> widths)
            throws CollectionException {
        for (int s = 0; s < plans.size(); s++) {
            for (int i = 0; i < keys.size(); i++) {
                long w = widths.get(s)[i];
                if (w >= 0 && !keys.get(i).equals("raw.X") && w != plans.get(s).xCols()) {
                    throw CollectionException.inStore(plans.get(s).path(), layerPath(keys.get(i)),
                            "has " + w + " columns but X has " + plans.get(s).xCols()
                                    + "; a joined layer must have X's variables");
                }
            }
        }
    }
}
