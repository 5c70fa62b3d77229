package io.github.flinkanndata.collection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * One sample of the collection: lamindb's {@code __getitem__} record (semantics §10).
 *
 * <p>Record keys, in order: {@code _store_idx}; each requested layers key the store has
 * ({@code X}, {@code raw.X}, layer names); {@code obsm_<k>} for each requested obsm key it has;
 * each requested obs key it has. Keys a store lacks are absent, not null. An obs value is the
 * encoder's {@code Integer} code for an encoded key, the label itself ({@code String}, {@code
 * Long}, {@code Double}, {@code Boolean}) otherwise, and {@link Missing#MISSING} for a missing
 * label (encoded or not). Immutable by convention; the key arrays are shared between samples.
 */
public final class Sample {
    private final long index;
    private final int storeIndex;
    private final long row;
    private final String[] layerKeys;
    private final MatrixRow[] layers;
    private final String[] obsmKeys;
    private final MatrixRow[] obsm;
    private final String[] obsKeys;
    private final Object[] obs;

    /**
     * A sample from its parts (used by record deserializers). Arrays are taken as they are; the
     * key and value arrays of each group must have equal lengths.
     */
    public Sample(long index, int storeIndex, long row, String[] layerKeys, MatrixRow[] layers,
            String[] obsmKeys, MatrixRow[] obsm, String[] obsKeys, Object[] obs) {
        if (layerKeys.length != layers.length || obsmKeys.length != obsm.length || obsKeys.length != obs.length) {
            throw new IllegalArgumentException("sample keys and values differ in length");
        }
        this.index = index;
        this.storeIndex = storeIndex;
        this.row = row;
        this.layerKeys = layerKeys;
        this.layers = layers;
        this.obsmKeys = obsmKeys;
        this.obsm = obsm;
        this.obsKeys = obsKeys;
        this.obs = obs;
    }

    /** The global index of this sample. */
    public long index() {
        return index;
    }

    /** {@code _store_idx}: the store's position in the path list. */
    public int storeIndex() {
        return storeIndex;
    }

    /** The local (unfiltered) row in its store. */
    public long row() {
        return row;
    }

    /** The layers keys present in this sample, in record order. */
    public List<String> layerKeys() {
        return List.of(layerKeys);
    }

    /** A matrix row by its layers key ({@code X}, {@code raw.X}, a layer name), or null if absent. */
    @Nullable
    public MatrixRow layer(String key) {
        int i = indexOf(layerKeys, key);
        return i < 0 ? null : layers[i];
    }

    /** The obsm keys present (without the {@code obsm_} prefix), in record order. */
    public List<String> obsmKeys() {
        return List.of(obsmKeys);
    }

    /** An obsm row by its obsm key (without prefix), or null if absent. */
    @Nullable
    public MatrixRow obsm(String key) {
        int i = indexOf(obsmKeys, key);
        return i < 0 ? null : obsm[i];
    }

    /** The obs keys present, in record order. */
    public List<String> obsKeys() {
        return List.of(obsKeys);
    }

    /** An obs value (code, label or MISSING), or null if the store lacks the key. */
    @Nullable
    public Object obs(String key) {
        int i = indexOf(obsKeys, key);
        return i < 0 ? null : obs[i];
    }

    /** The record keys in order: {@code _store_idx}, layers keys, {@code obsm_<k>}, obs keys. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>(1 + layerKeys.length + obsmKeys.length + obsKeys.length);
        keys.add("_store_idx");
        Collections.addAll(keys, layerKeys);
        for (String k : obsmKeys) {
            keys.add("obsm_" + k);
        }
        Collections.addAll(keys, obsKeys);
        return keys;
    }

    /**
     * The record as lamindb returns it: keys in record order; {@code _store_idx} an {@code
     * Integer}; matrices as dense primitive arrays; obs values as they are.
     */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_store_idx", storeIndex);
        for (int i = 0; i < layerKeys.length; i++) {
            m.put(layerKeys[i], layers[i].dense());
        }
        for (int i = 0; i < obsmKeys.length; i++) {
            m.put("obsm_" + obsmKeys[i], obsm[i].dense());
        }
        for (int i = 0; i < obsKeys.length; i++) {
            m.put(obsKeys[i], obs[i]);
        }
        return m;
    }

    private static int indexOf(String[] keys, String key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Sample{index=").append(index).append(", _store_idx=").append(storeIndex);
        for (int i = 0; i < layerKeys.length; i++) {
            sb.append(", ").append(layerKeys[i]).append('=').append(layers[i]);
        }
        for (int i = 0; i < obsmKeys.length; i++) {
            sb.append(", obsm_").append(obsmKeys[i]).append('=').append(obsm[i]);
        }
        for (int i = 0; i < obsKeys.length; i++) {
            sb.append(", ").append(obsKeys[i]).append('=').append(obs[i]);
        }
        return sb.append('}').toString();
    }
}
