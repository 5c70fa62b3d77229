package io.github.flinkanndata.source.record;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Sample;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One cell as the source emits it: the collection's {@link Sample} (store index, requested matrix
 * rows, obsm rows, obs values) tagged with the epoch it was drawn in and its global index.
 *
 * <p>{@code (epoch, globalIndex)} identifies a sample occurrence: in sequential and block-shuffled
 * sampling each pair is emitted exactly once, also across failures. (Weighted sampling draws with
 * replacement, so a global index may occur several times in an epoch.)
 *
 * <p>Immutable by convention: callers must not modify the arrays it hands out.
 *
 * @param epoch the epoch (0-based) the sample was drawn in
 */
@PublicEvolving
@TypeInfo(CellRecordTypeInfo.Factory.class)
public record CellRecord(int epoch, Sample sample) {
    public CellRecord {
        Objects.requireNonNull(sample);
    }

    /** The sample's global index in the collection (lamindb's index). */
    public long globalIndex() {
        return sample.index();
    }

    /** {@code _store_idx}: position of the sample's store in the path list. */
    public int storeIndex() {
        return sample.storeIndex();
    }

    /** The sample's row in its store (before the obs filter). */
    public long row() {
        return sample.row();
    }

    /** A matrix row ({@code X}, {@code raw.X}, a layer), or null if the store lacks it. */
    public MatrixRow matrix(String key) {
        return sample.layer(key);
    }

    /** An obs value: an {@code Integer} code when encoded, the label otherwise, or MISSING. */
    public Object obs(String key) {
        return sample.obs(key);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CellRecord)) {
            return false;
        }
        CellRecord r = (CellRecord) o;
        return epoch == r.epoch && sample.index() == r.sample.index()
                && sample.storeIndex() == r.sample.storeIndex() && sample.row() == r.sample.row()
                && sameContent(sample, r.sample);
    }

    private static boolean sameContent(Sample a, Sample b) {
        if (!a.keys().equals(b.keys())) {
            return false;
        }
        for (String k : a.layerKeys()) {
            if (!sameRow(a.layer(k), b.layer(k))) {
                return false;
            }
        }
        for (String k : a.obsmKeys()) {
            if (!sameRow(a.obsm(k), b.obsm(k))) {
                return false;
            }
        }
        for (String k : a.obsKeys()) {
            if (!Objects.equals(a.obs(k), b.obs(k))) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameRow(MatrixRow a, MatrixRow b) {
        return a.type() == b.type() && a.width() == b.width() && a.isSparse() == b.isSparse()
                && Arrays.equals(a.shape(), b.shape()) && Objects.deepEquals(a.dense(), b.dense());
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, sample.index(), sample.storeIndex());
    }

    @Override
    public String toString() {
        Map<String, Object> m = sample.asMap();
        StringBuilder sb = new StringBuilder("CellRecord{epoch=").append(epoch).append(", index=")
                .append(sample.index());
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            sb.append(", ").append(e.getKey()).append('=').append(v != null && v.getClass().isArray()
                    ? arrayString(v) : String.valueOf(v));
        }
        return sb.append('}').toString();
    }

    private static String arrayString(Object array) {
        int n = java.lang.reflect.Array.getLength(array);
        if (n > 12) {
            return "[" + n + " values]";
        }
        Object[] boxed = new Object[n];
        for (int i = 0; i < n; i++) {
            Object v = java.lang.reflect.Array.get(array, i);
            // a row of an N-D obsm entry is nested arrays
            boxed[i] = v != null && v.getClass().isArray() ? arrayString(v) : v;
        }
        return Arrays.toString(boxed);
    }

    /** Keys of the sample in record order (see {@link Sample#keys()}). */
    public List<String> keys() {
        return sample.keys();
    }
}
