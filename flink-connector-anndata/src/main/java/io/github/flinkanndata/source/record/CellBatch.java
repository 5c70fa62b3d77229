package io.github.flinkanndata.source.record;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A mini-batch of cells, laid out column-wise as training code consumes it: per-cell columns
 * (global index, store index, row in the store), each requested matrix and obsm entry as one
 * {@link MatrixBlock} (CSR or dense, float32), and each obs key as one array of values.
 *
 * <p>A batch holds consecutive cells of one split, so all were drawn in the same epoch; it never
 * spans splits. With batch size {@code b}, a split of {@code n} cells gives {@code ceil(n / b)}
 * batches, the last one shorter; so do the end of an epoch and a split cut short by a restore.
 * Exactly once holds per cell: after a failure every {@code (epoch, global index)} is emitted in
 * exactly one batch (weighted sampling: the same draws).
 *
 * <p>Obs values are as in {@link CellRecord#obs}: an {@code Integer} code when encoded, the label
 * otherwise ({@code String}, {@code Long}, {@code Double}, {@code Boolean}), or {@code
 * Missing.MISSING}, also for a cell whose store lacks the key.
 *
 * <p>Immutable by convention: callers must not modify the arrays it hands out.
 *
 * @param epoch the epoch (0-based) every cell of the batch was drawn in
 * @param globalIndex each cell's global index in the collection (lamindb's index)
 * @param storeIndex each cell's {@code _store_idx}: the position of its store in the path list
 * @param row each cell's row in its store (before the obs filter)
 * @param matrices the requested matrices ({@code X}, {@code raw.X}, layers) in request order
 * @param obsm the requested obsm entries, by obsm key (without the {@code obsm_} prefix)
 * @param obs the requested obs keys' values, one per cell
 */
@PublicEvolving
@TypeInfo(CellBatchTypeInfo.Factory.class)
public record CellBatch(int epoch, long[] globalIndex, int[] storeIndex, long[] row,
        Map<String, MatrixBlock> matrices, Map<String, MatrixBlock> obsm, Map<String, Object[]> obs) {
    public CellBatch {
        int n = globalIndex.length;
        if (storeIndex.length != n || row.length != n) {
            throw new IllegalArgumentException("per-cell columns of different lengths: " + n + ", "
                    + storeIndex.length + ", " + row.length);
        }
        checkRows(matrices, n);
        checkRows(obsm, n);
        obs.forEach((k, v) -> {
            if (v.length != n) {
                throw new IllegalArgumentException("obs '" + k + "' has " + v.length + " values for " + n + " cells");
            }
        });
        matrices = Collections.unmodifiableMap(new LinkedHashMap<>(matrices));
        obsm = Collections.unmodifiableMap(new LinkedHashMap<>(obsm));
        obs = Collections.unmodifiableMap(new LinkedHashMap<>(obs));
    }

    private static void checkRows(Map<String, MatrixBlock> blocks, int n) {
        blocks.forEach((k, b) -> {
            if (b.rows() != n) {
                throw new IllegalArgumentException("'" + k + "' has " + b.rows() + " rows for " + n + " cells");
            }
        });
    }

    /** Number of cells. */
    public int size() {
        return globalIndex.length;
    }

    /** A requested matrix, or null if it was not requested. */
    public MatrixBlock matrix(String key) {
        return matrices.get(key);
    }

    /** Every requested key, as in {@link CellRecord#keys()}: matrices, {@code obsm_<k>}, obs. */
    public List<String> keys() {
        List<String> out = new java.util.ArrayList<>(matrices.keySet());
        obsm.keySet().forEach(k -> out.add("obsm_" + k));
        out.addAll(obs.keySet());
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CellBatch)) {
            return false;
        }
        CellBatch b = (CellBatch) o;
        if (epoch != b.epoch || !Arrays.equals(globalIndex, b.globalIndex) || !Arrays.equals(storeIndex, b.storeIndex)
                || !Arrays.equals(row, b.row) || !matrices.equals(b.matrices) || !obsm.equals(b.obsm)
                || !obs.keySet().equals(b.obs.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object[]> e : obs.entrySet()) {
            if (!Arrays.equals(e.getValue(), b.obs.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, Arrays.hashCode(globalIndex));
    }

    @Override
    public String toString() {
        return "CellBatch{epoch=" + epoch + ", " + size() + " cells" + (size() == 0 ? ""
                : " from global index " + globalIndex[0]) + ", keys=" + keys() + "}";
    }
}
