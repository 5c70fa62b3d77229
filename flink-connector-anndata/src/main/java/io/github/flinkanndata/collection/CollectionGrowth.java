package io.github.flinkanndata.collection;

import io.github.flinkanndata.annotation.Internal;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Plans of a <b>growing collection</b>: one that stores join while it is being read. Two rules
 * make every sample emitted before a store joined keep its meaning afterwards:
 *
 * <ul>
 *   <li><b>A fixed gene space.</b> The joint genes are fixed when the collection starts — an
 *       explicit gene list, or the join of the initial stores — and every store, initial or
 *       joining, is mapped onto them by name: genes outside the space are dropped (and counted),
 *       genes of the space a store lacks are 0. The plan keeps the requested join's index form
 *       ({@link StorePlan#varIndices()}) with -1 for an unmapped gene.
 *   <li><b>Append-only vocabularies.</b> Each label encoder keeps every code it has; labels first
 *       seen in a joining store get the next codes ({@link LabelEncoder#extend}). So codes follow
 *       the order of arrival, not the sorted order of a static collection's merged categories.
 * </ul>
 *
 * <p>Appending stores never moves an existing store's global index range. Opens the stores it
 * plans and closes them again; stateless and thread-safe.
 */
@Internal
public final class CollectionGrowth {
    private CollectionGrowth() {}

    /** A grown plan and, per store it planned, the number of its genes outside the fixed space. */
    public static final class Result {
        private final CollectionPlan plan;
        private final long[] droppedGenes;

        Result(CollectionPlan plan, long[] droppedGenes) {
            this.plan = plan;
            this.droppedGenes = droppedGenes;
        }

        public CollectionPlan plan() {
            return plan;
        }

        /** Per planned store (all stores for {@link #start}, the new one for {@link #extend}). */
        public long[] droppedGenes() {
            return droppedGenes.clone();
        }

        public long totalDroppedGenes() {
            long n = 0;
            for (long d : droppedGenes) {
                n += d;
            }
            return n;
        }
    }

    /**
     * Plans the initial stores of a growing collection and fixes its gene space: {@code genes} if
     * given, otherwise the join of the initial stores. The labels are merged and encoded as in a
     * static collection (sorted); only later stores append.
     *
     * @throws CollectionException when the options request no join (a growing collection needs
     *     one to map new stores onto), {@code genes} is empty or repeats a name, or a store repeats
     *     a var name; the planner's exceptions otherwise
     */
    public static Result start(CollectionOptions options, @Nullable List<String> genes) throws AnnDataFormatException {
        if (options.join() == Join.NONE) {
            throw CollectionException.inCollection(options.paths(), "a growing collection needs join inner or outer:"
                    + " new stores are mapped onto the fixed gene space by name");
        }
        if (genes != null) {
            checkGeneList(genes, options.paths());
        }
        List<AnnDataStore> stores = open(options.paths(), options);
        try {
            CollectionPlan planned = CollectionPlanner.plan(options, stores);
            List<String> space = genes != null ? List.copyOf(genes) : planned.varJoint();
            List<StorePlan> mapped = new ArrayList<>();
            long[] dropped = new long[stores.size()];
            for (int s = 0; s < stores.size(); s++) {
                Mapping m = mapOnto(options.join(), space, stores.get(s).var().index(), options.paths().get(s));
                mapped.add(planned.store(s).withVarIndices(m.indices));
                dropped[s] = m.dropped;
            }
            checkLayerWidths(options, stores, mapped);
            // the planned options: their text labels are typed by now
            CollectionPlan plan = new CollectionPlan(planned.options(), mapped, options.join(), space,
                    planned.encoders()).withWarnings(planned.warnings());
            return new Result(plan, dropped);
        } finally {
            close(stores);
        }
    }

    /**
     * {@code plan} with the store at {@code path} appended: planned as the initial stores were
     * (filter, keys), mapped onto the plan's gene space, its labels appended to the vocabularies.
     *
     * @throws CollectionException if the store cannot join (no X, a CSC matrix, repeated var
     *     names, a label of the other kind than an encoder holds); {@link AnnDataFormatException}
     *     if it cannot be read — for a store still being written, try again later
     */
    public static Result extend(CollectionPlan plan, String path) throws AnnDataFormatException {
        List<String> space = plan.varJoint();
        if (space == null || plan.effectiveJoin() == Join.NONE) {
            throw new IllegalArgumentException("not a growing collection's plan (no fixed gene space): " + plan);
        }
        CollectionOptions before = plan.options();
        List<String> paths = new ArrayList<>(before.paths());
        paths.add(path);
        CollectionOptions options = before.withPaths(paths);
        List<AnnDataStore> stores = open(List.of(path), options);
        try {
            AnnDataStore store = stores.get(0);
            ObsColumns columns = new ObsColumns(stores);
            long[] widths = new long[options.layersKeys().size()];
            StorePlan planned = CollectionPlanner.planStore(options, columns, 0, store, path, widths);
            Mapping m = mapOnto(plan.effectiveJoin(), space, store.var().index(), path);
            StorePlan joined = planned.withVarIndices(m.indices);
            CollectionPlanner.checkLayerWidths(options.layersKeys(), List.of(joined), List.of(widths));
            Map<String, LabelEncoder> encoders = new LinkedHashMap<>();
            for (Map.Entry<String, LabelEncoder> e : plan.encoders().entrySet()) {
                String key = e.getKey();
                List<Object> cats = MergedCategories.merge(key, columns, List.of(path));
                encoders.put(key, e.getValue().extend(cats, options.unknownLabelFor(key), List.of(path)));
            }
            List<StorePlan> all = new ArrayList<>(plan.stores());
            all.add(joined);
            return new Result(new CollectionPlan(options, all, plan.effectiveJoin(), space, encoders),
                    new long[] {m.dropped});
        } finally {
            close(stores);
        }
    }

    /** Var indices of one store in the join's form, with -1 for an unmapped gene. */
    private record Mapping(int[] indices, long dropped) {}

    /**
     * Inner form: {@code idx[j]} = the store's column of space gene {@code j}, or -1; outer form:
     * {@code idx[k]} = the space position of store gene {@code k}, or -1. Either way the output
     * row is the store's row projected onto the space; only the index direction differs.
     */
    static Mapping mapOnto(Join join, List<String> space, List<String> storeVars, String path)
            throws CollectionException {
        Map<String, Integer> inStore = positions(storeVars, path, "var");
        Map<String, Integer> inSpace = positions(space, path, "gene space");
        long dropped = 0;
        for (String v : storeVars) {
            if (!inSpace.containsKey(v)) {
                dropped++;
            }
        }
        int[] idx;
        if (join == Join.INNER) {
            idx = new int[space.size()];
            for (int j = 0; j < idx.length; j++) {
                idx[j] = inStore.getOrDefault(space.get(j), -1);
            }
        } else {
            idx = new int[storeVars.size()];
            for (int k = 0; k < idx.length; k++) {
                idx[k] = inSpace.getOrDefault(storeVars.get(k), -1);
            }
        }
        return new Mapping(idx, dropped);
    }

    private static Map<String, Integer> positions(List<String> names, String path, String what)
            throws CollectionException {
        Map<String, Integer> pos = new HashMap<>(names.size() * 2);
        for (int i = 0; i < names.size(); i++) {
            if (pos.putIfAbsent(names.get(i), i) != null) {
                throw CollectionException.inStore(path, what.equals("var") ? "var" : null, "duplicate " + what
                        + " name '" + names.get(i) + "'; a growing collection maps genes by name, so names"
                        + " must be unique");
            }
        }
        return pos;
    }

    private static void checkGeneList(List<String> genes, List<String> paths) throws CollectionException {
        if (genes.isEmpty()) {
            throw CollectionException.inCollection(paths, "the explicit gene list is empty");
        }
        Set<String> seen = new HashSet<>();
        for (String g : genes) {
            if (g == null || !seen.add(g)) {
                throw CollectionException.inCollection(paths, "the explicit gene list repeats '" + g + "'");
            }
        }
    }

    private static void checkLayerWidths(CollectionOptions options, List<AnnDataStore> stores, List<StorePlan> plans)
            throws AnnDataFormatException {
        List<long[]> widths = new ArrayList<>();
        for (AnnDataStore store : stores) {
            long[] w = new long[options.layersKeys().size()];
            for (int i = 0; i < w.length; i++) {
                var m = CollectionPlanner.layer(store, options.layersKeys().get(i));
                w[i] = m == null ? -1 : m.cols();
            }
            widths.add(w);
        }
        CollectionPlanner.checkLayerWidths(options.layersKeys(), plans, widths);
    }

    private static List<AnnDataStore> open(List<String> paths, CollectionOptions options)
            throws AnnDataFormatException {
        List<AnnDataStore> opened = new ArrayList<>();
        try {
            for (String p : paths) {
                opened.add(AnnDataStore.open(StoreLocation.local(p), options.containerOptions())); // local: see the builder
            }
            return opened;
        } catch (AnnDataFormatException | RuntimeException e) {
            close(opened);
            throw e;
        }
    }

    private static void close(List<AnnDataStore> stores) {
        for (AnnDataStore s : stores) {
            try {
                s.close();
            } catch (IOException e) {
                // metadata was read already; a failed close loses nothing
            }
        }
    }
}
