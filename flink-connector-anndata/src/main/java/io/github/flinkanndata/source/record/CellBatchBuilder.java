package io.github.flinkanndata.source.record;

import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.collection.Sample;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            matrices.put(k, block(samples, from, to, k, false, sparse));
        }
        Map<String, MatrixBlock> obsm = new LinkedHashMap<>();
        for (String k : obsmKeys) {
            obsm.put(k, block(samples, from, to, k, true, false));
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

    /**
     * One matrix of the batch, copied straight from the samples' range-read blocks: a first pass
     * sizes the arrays from each row's entry bound, a second writes the rows into them (trimmed
     * only if a join dropped entries).
     */
    private static MatrixBlock block(List<Sample> samples, int from, int to, String key, boolean obsm,
            boolean sparse) {
        int n = to - from;
        int[] indptr = new int[n + 1];
        int[] widths = new int[n];
        boolean[] present = null;
        long bound = 0;
        for (int i = 0; i < n; i++) {
            int b = samples.get(from + i).entryBound(key, obsm, sparse);
            if (b < 0) {
                if (present == null) {
                    present = new boolean[n];
                    Arrays.fill(present, true);
                }
                present[i] = false;
            } else {
                bound += b;
            }
        }
        if (bound > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a batch of " + n + " cells holds more than 2^31 values of '"
                    + key + "': lower the batch size");
        }
        float[] values = new float[(int) bound];
        int[] indices = sparse ? new int[(int) bound] : null;
        int pos = 0;
        for (int i = 0; i < n; i++) {
            if (present == null || present[i]) {
                Sample s = samples.get(from + i);
                int written = s.write(key, obsm, indices, values, pos);
                widths[i] = sparse ? s.entryBound(key, obsm, false) : written;
                pos += written;
            }
            indptr[i + 1] = pos;
        }
        if (pos < bound) {
            values = Arrays.copyOf(values, pos);
            indices = sparse ? Arrays.copyOf(indices, pos) : null;
        }
        return new MatrixBlock(indptr, indices, values, widths, present);
    }
}
