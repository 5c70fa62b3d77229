package io.github.flinkanndata.source.record;

import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Sample;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.flink.annotation.Internal;

/**
 * Lays out decoded samples of one split as a {@link CellBatch}: copies each matrix row into the
 * block of its key (CSR when the source reads sparse, dense otherwise), cast to float32.
 */
@Internal
public final class CellBatchBuilder {
    private final List<String> layersKeys;
    private final List<String> obsmKeys;
    private final List<String> obsKeys;
    private final boolean sparse;

    /**
     * @param layersKeys the requested matrices, in order
     * @param obsmKeys the requested obsm keys (empty for none)
     * @param obsKeys the requested obs keys (empty for none)
     * @param sparse CSR matrix blocks (obsm blocks are always dense, as obsm rows are)
     */
    public CellBatchBuilder(List<String> layersKeys, List<String> obsmKeys, List<String> obsKeys, boolean sparse) {
        this.layersKeys = List.copyOf(layersKeys);
        this.obsmKeys = List.copyOf(obsmKeys);
        this.obsKeys = List.copyOf(obsKeys);
        this.sparse = sparse;
    }

    /** The samples {@code from} (inclusive) to {@code to} (exclusive) of {@code samples}, as one batch. */
    public CellBatch build(int epoch, List<Sample> samples, int from, int to) {
        int n = to - from;
        long[] global = new long[n];
        int[] store = new int[n];
        long[] row = new long[n];
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(from + i);
            global[i] = s.index();
            store[i] = s.storeIndex();
            row[i] = s.row();
        }
        Map<String, MatrixBlock> matrices = new LinkedHashMap<>();
        for (String k : layersKeys) {
            matrices.put(k, block(samples, from, to, Sample::layer, k, sparse));
        }
        Map<String, MatrixBlock> obsm = new LinkedHashMap<>();
        for (String k : obsmKeys) {
            obsm.put(k, block(samples, from, to, Sample::obsm, k, false));
        }
        Map<String, Object[]> obs = new LinkedHashMap<>();
        for (String k : obsKeys) {
            Object[] values = new Object[n];
            for (int i = 0; i < n; i++) {
                Sample s = samples.get(from + i);
                values[i] = s.obsKeys().contains(k) ? s.obs(k) : Missing.MISSING;
            }
            obs.put(k, values);
        }
        return new CellBatch(epoch, global, store, row, matrices, obsm, obs);
    }

    private static MatrixBlock block(List<Sample> samples, int from, int to,
            BiFunction<Sample, String, MatrixRow> get, String key, boolean sparse) {
        int n = to - from;
        MatrixRow[] rows = new MatrixRow[n];
        int[] indptr = new int[n + 1];
        int[] widths = new int[n];
        boolean[] present = null;
        long total = 0;
        for (int i = 0; i < n; i++) {
            MatrixRow r = get.apply(samples.get(from + i), key);
            if (r == null) {
                if (present == null) {
                    present = new boolean[n];
                    java.util.Arrays.fill(present, true);
                }
                present[i] = false;
            } else {
                rows[i] = sparse ? r.toSparse() : r;
                widths[i] = r.width();
                total += sparse ? rows[i].indices().length : r.width();
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("a batch of " + n + " cells holds more than 2^31 values of '"
                        + key + "': lower the batch size");
            }
            indptr[i + 1] = (int) total;
        }
        float[] values = new float[(int) total];
        int[] indices = sparse ? new int[(int) total] : null;
        for (int i = 0; i < n; i++) {
            if (rows[i] == null) {
                continue;
            }
            float[] v = FloatArrays.of(sparse ? rows[i].values() : rows[i].dense());
            System.arraycopy(v, 0, values, indptr[i], v.length);
            if (sparse) {
                System.arraycopy(rows[i].indices(), 0, indices, indptr[i], v.length);
            }
        }
        return new MatrixBlock(indptr, indices, values, widths, present);
    }
}
