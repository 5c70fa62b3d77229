package io.github.flinkanndata.collection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * One sample of the collection: lamindb's {@code __getitem__} record (docs/semantics.md §10).
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
    @Nullable private final MatrixRow[] layers;
    private final String[] obsmKeys;
    @Nullable private final MatrixRow[] obsm;
    private final String[] obsKeys;
    private final Object[] obs;
    // either layers/obsm (rows given) or source/sourceRow (rows cut on each access)
    @Nullable private final RowSource source;
    private final int sourceRow;

    /**
     * Cuts the matrix rows of a sample out of the range-read blocks they were decoded in, on each
     * access, without keeping them. A decoded window of samples (a shuffling reader keeps tens of
     * thousands) then holds a few large block arrays rather than two small arrays per sample and
     * matrix, which the garbage collector would copy again and again while the window waits to be
     * emitted; the rows handed out are short-lived. Cutting a row is one copy of its stored
     * entries, and runs on whichever thread consumes the sample.
     */
    interface RowSource {
        MatrixRow layer(int k, int i);

        MatrixRow obsm(int k, int i);

        /** What {@link Sample#matrixBytes()} says, without cutting the rows. */
        long matrixBytes(int k);

        /** {@link Sample#entryBound}, for matrix {@code i} (an obsm entry if {@code obsm}). */
        int bound(int k, int i, boolean obsm, boolean sparse);

        /** {@link Sample#write}, for matrix {@code i} (an obsm entry if {@code obsm}). */
        int write(int k, int i, boolean obsm, boolean sparse, @Nullable int[] indices, float[] out, int pos);
    }

    /**
     * The most values {@link #write} writes for a matrix of this sample: its stored entries
     * (sparse) or its width (dense); -1 if the sample lacks the key.
     *
     * @param obsm whether {@code key} is an obsm key (else a layers key)
     */
    public int entryBound(String key, boolean obsm, boolean sparse) {
        int i = indexOf(obsm ? obsmKeys : layerKeys, key);
        if (i < 0) {
            return -1;
        }
        if (source != null) {
            return source.bound(sourceRow, i, obsm, sparse);
        }
        MatrixRow r = obsm ? this.obsm[i] : layers[i];
        return sparse ? r.toSparse().indices().length : r.width();
    }

    /**
     * Writes a matrix row of this sample as floats into a batch's arrays, as {@link #layer} or
     * {@link #obsm} would give it: sparse — its columns into {@code indices} and values into
     * {@code out} from {@code pos}, returning how many (at most {@link #entryBound}); dense (then
     * {@code indices} is null) — its width of values from {@code pos}, where {@code out} must hold
     * zeros. Rows cut from a range-read block are copied straight from it, with no row array in
     * between. An obsm row of more than two dimensions is written flat, row-major.
     *
     * @throws IllegalArgumentException if the sample lacks the key
     */
    public int write(String key, boolean obsm, @Nullable int[] indices, float[] out, int pos) {
        int i = indexOf(obsm ? obsmKeys : layerKeys, key);
        if (i < 0) {
            throw new IllegalArgumentException("sample " + index + " has no " + (obsm ? "obsm " : "") + "'" + key + "'");
        }
        boolean sparse = indices != null;
        if (source != null) {
            return source.write(sourceRow, i, obsm, sparse, indices, out, pos);
        }
        return RowMapping.writeRow(obsm ? this.obsm[i] : layers[i], indices, out, pos);
    }

    /**
     * The approximate size of the sample's matrix values (layers and obsm): stored entries times
     * (4 + value size) for sparse rows, width times value size for dense ones. Cheap: it does not
     * cut the rows (for metrics such as bytes read).
     */
    public long matrixBytes() {
        if (source != null) {
            return source.matrixBytes(sourceRow);
        }
        long bytes = 0;
        for (MatrixRow r : layers) {
            bytes += rowBytes(r);
        }
        for (MatrixRow r : obsm) {
            bytes += rowBytes(r);
        }
        return bytes;
    }

    static long rowBytes(MatrixRow r) {
        int item = Math.max(1, r.type().storedSize());
        return r.isSparse() ? (long) r.indices().length * (4 + item) : (long) r.width() * item;
    }

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
        this.source = null;
        this.sourceRow = -1;
    }

    /** A sample whose matrix rows are cut from {@code source} whenever they are asked for. */
    Sample(long index, int storeIndex, long row, String[] layerKeys, String[] obsmKeys, String[] obsKeys,
            Object[] obs, RowSource source, int sourceRow) {
        if (obsKeys.length != obs.length) {
            throw new IllegalArgumentException("sample keys and values differ in length");
        }
        this.index = index;
        this.storeIndex = storeIndex;
        this.row = row;
        this.layerKeys = layerKeys;
        this.obsmKeys = obsmKeys;
        this.obsKeys = obsKeys;
        this.obs = obs;
        this.sourceRow = sourceRow;
        this.source = source;
        this.layers = null;
        this.obsm = null;
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
        if (i < 0) {
            return null;
        }
        return source != null ? source.layer(sourceRow, i) : layers[i];
    }

    /** The obsm keys present (without the {@code obsm_} prefix), in record order. */
    public List<String> obsmKeys() {
        return List.of(obsmKeys);
    }

    /** An obsm row by its obsm key (without prefix), or null if absent. */
    @Nullable
    public MatrixRow obsm(String key) {
        int i = indexOf(obsmKeys, key);
        if (i < 0) {
            return null;
        }
        return source != null ? source.obsm(sourceRow, i) : obsm[i];
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
     * Integer}; matrices as dense primitive arrays, a row of an obsm entry with more than two
     * dimensions as nested arrays of its shape ({@link MatrixRow#nestedDense()}); obs values as
     * they are.
     */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_store_idx", storeIndex);
        for (int i = 0; i < layerKeys.length; i++) {
            m.put(layerKeys[i], layer(layerKeys[i]).dense());
        }
        for (int i = 0; i < obsmKeys.length; i++) {
            m.put("obsm_" + obsmKeys[i], obsm(obsmKeys[i]).nestedDense());
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
            sb.append(", ").append(layerKeys[i]).append('=').append(layer(layerKeys[i]));
        }
        for (int i = 0; i < obsmKeys.length; i++) {
            sb.append(", obsm_").append(obsmKeys[i]).append('=').append(obsm(obsmKeys[i]));
        }
        for (int i = 0; i < obsKeys.length; i++) {
            sb.append(", ").append(obsKeys[i]).append('=').append(obs[i]);
        }
        return sb.append('}').toString();
    }
}
