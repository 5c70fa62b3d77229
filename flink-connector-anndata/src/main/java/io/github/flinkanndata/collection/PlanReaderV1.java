package io.github.flinkanndata.collection;

import static io.github.flinkanndata.collection.CollectionPlanCodec.DTYPES;
import static io.github.flinkanndata.collection.CollectionPlanCodec.JOINS;
import static io.github.flinkanndata.collection.CollectionPlanCodec.ROWS_ALL;
import static io.github.flinkanndata.collection.CollectionPlanCodec.ROWS_COUNT;
import static io.github.flinkanndata.collection.CollectionPlanCodec.UNKNOWN_ONE;
import static io.github.flinkanndata.collection.CollectionPlanCodec.UNKNOWN_PER_KEY;

import io.github.flinkanndata.collection.PlanCodecIo.Reader;
import io.github.flinkanndata.format.tree.ContainerOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Reads version 1 of {@link CollectionPlanCodec}'s layout (documented there): each part in
 * order, each value checked as it is read, then the invariants that span parts (join indices
 * against the joint list, encoders against the encode keys). Kept when later versions come, so
 * that old checkpoints stay readable. Also reads version 2, which is version 1's layout with
 * unmapped var indices (-1) allowed. Stateless.
 */
final class PlanReaderV1 {
    private PlanReaderV1() {}

    static CollectionPlan read(Reader r) throws IOException {
        return read(r, false);
    }

    /**
     * Reads version 1's layout; {@code unmappedVars} (version 2, the same layout) also accepts
     * the var index -1 of a growing collection's fixed gene space ({@link CollectionGrowth}).
     */
    static CollectionPlan read(Reader r, boolean unmappedVars) throws IOException {
        CollectionOptions options = readOptions(r);
        r.at("store count");
        int count = r.readCount("stores", PlanCodecIo.MAX_COUNT);
        if (count != options.paths().size()) {
            throw r.corrupt(count + " stores for " + options.paths().size() + " paths");
        }
        List<StorePlan> stores = new ArrayList<>(Math.min(count, 1 << 14));
        long total = 0;
        for (int s = 0; s < count; s++) {
            StorePlan p = readStore(r, s, options);
            try {
                total = Math.addExact(total, p.keptRows());
            } catch (ArithmeticException e) {
                throw r.corrupt("the collection's size overflows a long");
            }
            stores.add(p);
        }
        r.at("effective join");
        Join effective = JOINS[r.readCode("join", JOINS.length)];
        r.at("varJoint");
        List<String> varJoint = r.readOptionalStrings("joint variables");
        PlanChecks.join(r, options.join(), effective, varJoint, stores, unmappedVars);
        if (unmappedVars && !PlanChecks.anyUnmapped(stores)) {
            // the writer uses version 2 only when it must, so each plan has one encoding
            throw r.corrupt("a version 2 plan without an unmapped var index (such a plan is written as version 1)");
        }
        r.at("encoders");
        Map<String, LabelEncoder> encoders = readEncoders(r, options);
        return new CollectionPlan(options, stores, effective, varJoint, encoders);
    }

    private static CollectionOptions readOptions(Reader r) throws IOException {
        r.at("options: paths");
        List<String> paths = r.readStrings("paths");
        if (paths.isEmpty()) {
            throw r.corrupt("no path (a collection has at least one store)");
        }
        r.at("options: layersKeys");
        List<String> layersKeys = r.readStrings("layers keys");
        r.at("options: obsKeys");
        List<String> obsKeys = r.readOptionalStrings("obs keys");
        r.at("options: obsmKeys");
        List<String> obsmKeys = r.readOptionalStrings("obsm keys");
        r.at("options: obsFilter");
        Map<String, List<Object>> filter = null;
        if (r.readBool()) {
            int keys = r.readCount("filter keys", PlanCodecIo.MAX_COUNT);
            filter = new LinkedHashMap<>();
            for (int k = 0; k < keys; k++) {
                String key = r.readString();
                int n = r.readCount("values of filter key '" + key + "'", PlanCodecIo.MAX_COUNT);
                List<Object> values = new ArrayList<>(Math.min(n, 1 << 14));
                for (int i = 0; i < n; i++) {
                    values.add(r.readLabel());
                }
                if (filter.put(key, Collections.unmodifiableList(values)) != null) {
                    throw r.corrupt("filter key '" + key + "' appears twice");
                }
            }
            filter = Collections.unmodifiableMap(filter);
        }
        r.at("options: join");
        Join join = JOINS[r.readCode("join", JOINS.length)];
        r.at("options: encodeKeys");
        List<String> encodeKeys = r.readStrings("encode keys");
        PlanChecks.encodeKeys(r, encodeKeys, obsKeys);
        r.at("options: unknown label");
        Map<String, Object> unknownMap = null;
        Object unknownOne = null;
        int kind = r.readCode("unknown label kind", UNKNOWN_PER_KEY + 1);
        if (kind == UNKNOWN_ONE) {
            unknownOne = r.readLabel();
        } else if (kind == UNKNOWN_PER_KEY) {
            int n = r.readCount("unknown labels", PlanCodecIo.MAX_COUNT);
            unknownMap = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String key = r.readString();
                if (unknownMap.put(key, r.readLabel()) != null) {
                    throw r.corrupt("unknown label key '" + key + "' appears twice");
                }
            }
            if (!encodeKeys.isEmpty() && !encodeKeys.containsAll(unknownMap.keySet())) {
                throw r.corrupt("unknown label keys " + unknownMap.keySet() + " are not all encoded keys "
                        + encodeKeys);
            }
            unknownMap = Collections.unmodifiableMap(unknownMap);
        }
        r.at("options: flags, dtype and container options");
        boolean cacheCategories = r.readBool();
        boolean parallel = r.readBool();
        OutputType dtype = DTYPES[r.readCode("dtype", DTYPES.length)];
        long cacheBytes = r.readLong("chunkCacheBytes", Long.MAX_VALUE);
        return new CollectionOptions(paths, layersKeys, obsKeys, obsmKeys, filter, join, encodeKeys,
                unknownMap, unknownOne, cacheCategories, parallel, dtype,
                ContainerOptions.defaults().withChunkCacheBytes(cacheBytes));
    }

    private static StorePlan readStore(Reader r, int s, CollectionOptions o) throws IOException {
        r.at("store " + s + ": path");
        String path = r.readString();
        if (!path.equals(o.paths().get(s))) {
            throw r.corrupt("store path '" + path + "' differs from the options' path '" + o.paths().get(s) + "'");
        }
        r.at("store " + s + " (" + path + "): shape");
        long rows = r.readLong("rows", Long.MAX_VALUE);
        long xCols = r.readLong("X columns", Integer.MAX_VALUE); // rows are remapped by int index
        r.at("store " + s + " (" + path + "): varIndices");
        int[] varIndices = r.readBool() ? r.readInts("var indices", PlanCodecIo.MAX_COUNT) : null;
        r.at("store " + s + " (" + path + "): masks");
        boolean[] hasLayer = r.readBools("layer mask", o.layersKeys().size());
        boolean[] hasObsm = r.readBools("obsm mask", o.obsmKeys() == null ? 0 : o.obsmKeys().size());
        boolean[] hasObs = r.readBools("obs mask", o.obsKeys() == null ? 0 : o.obsKeys().size());
        r.at("store " + s + " (" + path + "): rows");
        int kind = r.readCode("rows kind", ROWS_COUNT + 1);
        if ((kind == ROWS_ALL) != (o.obsFilter() == null)) {
            throw r.corrupt(kind == ROWS_ALL ? "an unfiltered store in a filtered collection"
                    : "kept rows in a collection without a filter");
        }
        // ObsFilter lists the kept rows of a store in an int array
        long maxKept = Math.min(rows, PlanCodecIo.MAX_COUNT);
        if (kind != ROWS_ALL && rows > PlanCodecIo.MAX_COUNT) {
            throw r.corrupt("a filtered store of " + rows + " rows (at most " + PlanCodecIo.MAX_COUNT + ")");
        }
        if (kind == ROWS_ALL) {
            return new StorePlan(path, rows, null, xCols, varIndices, hasLayer, hasObsm, hasObs);
        }
        if (kind == ROWS_COUNT) {
            int kept = r.readCount("kept rows", maxKept);
            return StorePlan.filteredCountOnly(path, rows, kept, xCols, varIndices, hasLayer, hasObsm, hasObs);
        }
        int[] kept = r.readInts("kept rows", maxKept);
        PlanChecks.keptRows(r, kept, rows);
        return new StorePlan(path, rows, kept, xCols, varIndices, hasLayer, hasObsm, hasObs);
    }

    private static Map<String, LabelEncoder> readEncoders(Reader r, CollectionOptions o) throws IOException {
        // one encoder per distinct encode key, in first-seen order (a map built by the planner)
        List<String> keys = new ArrayList<>(new LinkedHashSet<>(o.encodeKeys()));
        int n = r.readCount("encoders", PlanCodecIo.MAX_COUNT);
        if (n != keys.size()) {
            throw r.corrupt(n + " encoders for the encode keys " + o.encodeKeys());
        }
        Map<String, LabelEncoder> encoders = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            String key = r.readString();
            if (!key.equals(keys.get(k))) {
                throw r.corrupt("encoder " + k + " is for '" + key + "', expected '" + keys.get(k) + "'");
            }
            r.at("encoder '" + key + "'");
            int size = r.readCount("entries", PlanCodecIo.MAX_COUNT);
            List<Object> labels = new ArrayList<>(Math.min(size, 1 << 14));
            List<Integer> codes = new ArrayList<>(Math.min(size, 1 << 14));
            for (int i = 0; i < size; i++) {
                labels.add(r.readLabel());
                codes.add(r.readInt());
            }
            encoders.put(key, PlanChecks.encoder(r, key, labels, codes));
        }
        return encoders;
    }

    /** Invariants of a plan that span parts, checked once those parts are read. */
    private static final class PlanChecks {
        private PlanChecks() {}

        static void encodeKeys(Reader r, List<String> encodeKeys, @Nullable List<String> obsKeys) throws IOException {
            // repeats are allowed (the builder keeps them); the planner makes one encoder per key
            if (!encodeKeys.isEmpty() && (obsKeys == null || !obsKeys.containsAll(encodeKeys))) {
                throw r.corrupt("encode keys " + encodeKeys + " are not all obs keys " + obsKeys);
            }
        }

        static void keptRows(Reader r, int[] kept, long rows) throws IOException {
            for (int i = 0; i < kept.length; i++) {
                if (kept[i] < 0 || kept[i] >= rows || (i > 0 && kept[i] <= kept[i - 1])) {
                    throw r.corrupt("kept row " + i + " is " + kept[i] + ": kept rows must ascend within [0, "
                            + rows + ")");
                }
            }
        }

        /** varJoint and every store's varIndices agree with the requested and effective join. */
        static void join(Reader r, Join requested, Join effective, @Nullable List<String> varJoint,
                List<StorePlan> stores, boolean unmappedVars) throws IOException {
            if ((varJoint == null) != (requested == Join.NONE)) {
                throw r.corrupt("joint variables " + (varJoint == null ? "absent" : "present")
                        + " under the requested join " + requested);
            }
            if (effective != Join.NONE && effective != requested) {
                throw r.corrupt("effective join " + effective + " under the requested join " + requested);
            }
            for (int s = 0; s < stores.size(); s++) {
                StorePlan p = stores.get(s);
                int[] idx = p.varIndices();
                if ((idx == null) != (effective == Join.NONE)) {
                    throw r.corrupt("store " + s + " has " + (idx == null ? "no" : "") + " var indices under the"
                            + " effective join " + effective);
                }
                if (idx == null) {
                    continue;
                }
                // inner: a joint var's position in the store; outer: a store var's joint position
                long length = effective == Join.INNER ? varJoint.size() : p.xCols();
                long bound = effective == Join.INNER ? p.xCols() : varJoint.size();
                if (idx.length != length) {
                    throw r.corrupt("store " + s + " has " + idx.length + " var indices, expected " + length);
                }
                for (int i = 0; i < idx.length; i++) {
                    if (idx[i] < (unmappedVars ? -1 : 0) || idx[i] >= bound) {
                        throw r.corrupt("store " + s + ": var index " + i + " is " + idx[i] + ", outside [0, "
                                + bound + ")");
                    }
                }
            }
        }

        static boolean anyUnmapped(List<StorePlan> stores) {
            for (StorePlan p : stores) {
                int[] idx = p.varIndices();
                for (int i = 0; idx != null && i < idx.length; i++) {
                    if (idx[i] < 0) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** Codes as LabelEncoder.build makes them: an optional -1 first, then 0, 1, 2, ... */
        static LabelEncoder encoder(Reader r, String key, List<Object> labels, List<Integer> codes)
                throws IOException {
            Set<Object> seen = new HashSet<>();
            int next = 0;
            int[] out = new int[codes.size()];
            for (int i = 0; i < out.length; i++) {
                Object label = labels.get(i);
                if (label == Missing.MISSING || !seen.add(Labels.canonical(label))) {
                    throw r.corrupt("entry " + i + " has label " + label + ", missing or repeated");
                }
                int code = codes.get(i);
                boolean unknown = i == 0 && code == -1;
                if (!unknown && code != next++) {
                    throw r.corrupt("entry " + i + " (" + label + ") has code " + code + ", expected "
                            + (i == 0 ? "-1 or 0" : next - 1));
                }
                out[i] = code;
            }
            return LabelEncoder.of(key, labels.toArray(), out);
        }
    }
}
