package io.github.flinkanndata.collection;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The result of planning a collection, as pure data: per store its rows, kept rows and variable
 * mapping ({@link StorePlan}), the global index, the joint variables and the label encoders.
 *
 * <p>Everything a reader needs to decode any row range of any store, given only the store
 * itself: a Flink enumerator plans once and ships the plan; readers open their own stores and
 * decode with {@link SampleDecoder}. It holds no handles, and its bulk is primitive arrays, so
 * Java serialisation is cheap; {@link CollectionPlanCodec} is its versioned binary form, which can
 * leave the kept rows out (each reader re-derives its stores' rows, see {@link StorePlan}).
 * Immutable and thread-safe.
 *
 * <p>Global index (docs/semantics.md §4): store {@code s} covers {@code [offset(s), offset(s+1))};
 * global index {@code g} is position {@code g - offset(s)} of store {@code s}.
 */
public final class CollectionPlan implements Serializable {
    private static final long serialVersionUID = 1L;

    private final CollectionOptions options;
    private final StorePlan[] stores;
    private final long[] offsets;
    private final Join effectiveJoin;
    @Nullable private final String[] varJoint;
    private final LinkedHashMap<String, LabelEncoder> encoders;
    // computed on first use: a hash over every gene name, asked for by each fetch of numbered batches
    @Nullable private transient volatile String fingerprint;
    // what planning found worth a warning; not part of the plan's value (never encoded, lost in
    // Java serialization): only the side that planned reports it
    @Nullable private transient List<String> warnings;

    CollectionPlan(CollectionOptions options, List<StorePlan> stores, Join effectiveJoin,
            @Nullable List<String> varJoint, Map<String, LabelEncoder> encoders) {
        this.options = options;
        this.stores = stores.toArray(new StorePlan[0]);
        this.offsets = new long[this.stores.length + 1];
        for (int s = 0; s < this.stores.length; s++) {
            offsets[s + 1] = offsets[s] + this.stores[s].keptRows();
        }
        this.effectiveJoin = effectiveJoin;
        this.varJoint = varJoint == null ? null : varJoint.toArray(new String[0]);
        this.encoders = new LinkedHashMap<>(encoders);
    }

    /** This plan, carrying the warnings its planning found. */
    CollectionPlan withWarnings(List<String> found) {
        this.warnings = List.copyOf(found);
        return this;
    }

    /**
     * What planning found worth a warning (docs/semantics.md D18): a requested key that no store
     * has, a filter value or unknown label that matches no label. Empty for a plan that was
     * decoded or restored rather than made here.
     */
    public List<String> warnings() {
        return warnings == null ? List.of() : warnings;
    }

    /** This plan with other store plans (same count; kept counts must stay as planned). */
    CollectionPlan withStores(List<StorePlan> replaced) {
        return new CollectionPlan(options, replaced, effectiveJoin, varJoint == null ? null : Arrays.asList(varJoint),
                encoders);
    }

    /** True unless some filtered store lacks its kept rows (a plan decoded without them). */
    boolean isComplete() {
        for (StorePlan s : stores) {
            if (!s.isComplete()) {
                return false;
            }
        }
        return true;
    }

    public CollectionOptions options() {
        return options;
    }

    public int storeCount() {
        return stores.length;
    }

    public StorePlan store(int s) {
        return stores[s];
    }

    public List<StorePlan> stores() {
        return Collections.unmodifiableList(Arrays.asList(stores));
    }

    /** {@code len}: the number of samples after the filter. */
    public long size() {
        return offsets[stores.length];
    }

    /** The first global index of store {@code s} ({@code s == storeCount()} gives the size). */
    public long offset(int s) {
        return offsets[s];
    }

    /**
     * The store holding global index {@code g}. Stores with no kept rows hold no index.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= g < size()}
     */
    public int storeOf(long g) {
        if (g < 0 || g >= size()) {
            throw new IndexOutOfBoundsException("index " + g + " out of range for a collection of " + size());
        }
        // the last s with offsets[s] <= g; empty stores share their offset with the next store
        int lo = 0;
        int hi = stores.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (offsets[mid] <= g) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * The effective join: {@link Join#NONE} when none was requested, and also when every store
     * has the same variables (the short-circuit of docs/semantics.md §6.2).
     */
    public Join effectiveJoin() {
        return effectiveJoin;
    }

    /** The joint variables, or null when no join was requested. After a short-circuit: store 0's. */
    @Nullable
    public List<String> varJoint() {
        return varJoint == null ? null : Collections.unmodifiableList(Arrays.asList(varJoint));
    }

    /** {@code n_vars}: the joint width, or null when no join was requested. */
    @Nullable
    public Integer nVars() {
        return varJoint == null ? null : varJoint.length;
    }

    /** Encoders of the encoded obs keys, in encode-list order; empty when nothing is encoded. */
    public Map<String, LabelEncoder> encoders() {
        return Collections.unmodifiableMap(encoders);
    }

    /**
     * {@code indices_list}: the kept local rows per store.
     *
     * @throws IllegalStateException for a plan decoded without its kept rows ({@link
     *     StorePlan#row(long)})
     */
    public List<long[]> indicesList() {
        List<long[]> out = new ArrayList<>(stores.length);
        for (StorePlan s : stores) {
            out.add(s.keptRowArray());
        }
        return out;
    }

    /** The join's per-store indices (copies), or null when there is no effective join. */
    @Nullable
    public List<int[]> varIndices() {
        if (effectiveJoin == Join.NONE) {
            return null;
        }
        List<int[]> out = new ArrayList<>(stores.length);
        for (StorePlan s : stores) {
            out.add(s.varIndices().clone());
        }
        return out;
    }

    /** {@code n_obs_list}. */
    public long[] nObsList() {
        long[] out = new long[stores.length];
        for (int s = 0; s < stores.length; s++) {
            out[s] = stores[s].keptRows();
        }
        return out;
    }

    /**
     * A fingerprint of what the samples are, independent of where the stores live: each store's
     * rows and kept rows, the joint genes and the label vocabularies (16 hex digits). Two plans
     * with equal fingerprints number their samples alike, which is what a position token needs.
     */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            f = computeFingerprint();
            fingerprint = f;
        }
        return f;
    }

    private String computeFingerprint() {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        StringBuilder text = new StringBuilder();
        for (StorePlan s : stores) {
            text.append(s.rows()).append('/').append(s.keptRows()).append('/').append(s.xCols()).append(';');
        }
        text.append(effectiveJoin).append('|').append(varJoint == null ? "" : String.join("\u0001", varJoint));
        encoders.forEach((k, e) -> text.append('|').append(k).append('=').append(e.labels()));
        byte[] digest = sha.digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder(16);
        for (int i = 0; i < 8; i++) {
            hex.append(String.format("%02x", digest[i]));
        }
        return hex.toString();
    }

    @Override
    public String toString() {
        return "CollectionPlan{" + stores.length + " stores, " + size() + " samples, join " + effectiveJoin
                + (varJoint == null ? "" : ", " + varJoint.length + " vars") + ", encoders " + encoders.keySet() + "}";
    }
}
