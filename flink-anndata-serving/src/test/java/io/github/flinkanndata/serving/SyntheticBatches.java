package io.github.flinkanndata.serving;

import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.CellBatch;
import io.github.flinkanndata.source.record.MatrixBlock;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A stand-in for {@code numberedBatches}: {@code n} cells in a seeded order per epoch, batches of
 * {@code b}, a third of them whole and the rest in two pieces (as a batch straddling two splits).
 * Piece {@code i} of the sequence is a pure function of the parameters.
 */
final class SyntheticBatches implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int WIDTH = 20;

    final int n;
    final int b;
    final int epochs;
    /** Width of a dense obsm entry "pad" that makes batches heavy (0: none). */
    final int pad;

    SyntheticBatches(int n, int b, int epochs) {
        this(n, b, epochs, 0);
    }

    SyntheticBatches(int n, int b, int epochs, int pad) {
        this.n = n;
        this.b = b;
        this.epochs = epochs;
        this.pad = pad;
    }

    long batchesPerEpoch() {
        return n / b;
    }

    long[] order(int epoch) {
        long[] o = new long[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        Random rnd = new Random(1000 + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    /** (epoch, g, offset, length) of every piece, in emission order. */
    List<int[]> pieces() {
        List<int[]> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            for (int g = 0; g < batchesPerEpoch(); g++) {
                int cut = g % 3 == 0 ? b : (g % 3 == 1 ? b / 3 : 2 * b / 3);
                out.add(new int[] {e, g, 0, cut});
                if (cut < b) {
                    out.add(new int[] {e, g, cut, b - cut});
                }
            }
        }
        return out;
    }

    long[] cells(int epoch, long g) {
        long[] o = order(epoch);
        long[] out = new long[b];
        System.arraycopy(o, (int) (g * b), out, 0, b);
        return out;
    }

    BatchPiece piece(int[] p) {
        long[] all = cells(p[0], p[1]);
        long[] global = new long[p[3]];
        System.arraycopy(all, p[2], global, 0, p[3]);
        int k = global.length;
        int[] indptr = new int[k + 1];
        List<Integer> idx = new ArrayList<>();
        List<Float> vals = new ArrayList<>();
        Object[] codes = new Object[k];
        Object[] names = new Object[k];
        for (int i = 0; i < k; i++) {
            long c = global[i];
            for (int j = 0; j < c % 5; j++) {
                idx.add(j * 3 + (int) (c % 3));
                vals.add(c + j / 10f);
            }
            indptr[i + 1] = idx.size();
            codes[i] = (int) (c % 4);
            names[i] = "cell" + c;
        }
        int[] indices = idx.stream().mapToInt(Integer::intValue).toArray();
        float[] values = new float[vals.size()];
        for (int j = 0; j < values.length; j++) {
            values[j] = vals.get(j);
        }
        int[] widths = new int[k];
        java.util.Arrays.fill(widths, WIDTH);
        Map<String, MatrixBlock> matrices = new LinkedHashMap<>();
        matrices.put("X", new MatrixBlock(indptr, indices, values, widths, null));
        Map<String, Object[]> obs = new LinkedHashMap<>();
        obs.put("cell_type", codes);
        obs.put("name", names);
        Map<String, MatrixBlock> obsm = new LinkedHashMap<>();
        if (pad > 0) {
            int[] padPtr = new int[k + 1];
            int[] padWidths = new int[k];
            for (int i = 0; i < k; i++) {
                padPtr[i + 1] = (i + 1) * pad;
                padWidths[i] = pad;
            }
            float[] padValues = padValues(global, pad);
            obsm.put("pad", new MatrixBlock(padPtr, null, padValues, padWidths, null));
        }
        CellBatch cells = new CellBatch(p[0], global, new int[k], global.clone(), matrices, obsm, obs);
        return new BatchPiece("synthetic" + n + "x" + b, p[0], p[1], p[2], b, batchesPerEpoch(), cells);
    }

    /** The "pad" values of the given cells, row after row: each cell's own, so batches differ. */
    static float[] padValues(long[] cells, int pad) {
        float[] v = new float[cells.length * pad];
        for (int i = 0; i < cells.length; i++) {
            for (int j = 0; j < pad; j++) {
                v[i * pad + j] = cells[i] * 8 + j % 8;
            }
        }
        return v;
    }

    /** What rank {@code r} of {@code w} must receive, as "epoch:g" ids, starting at (epoch, next). */
    List<String> expected(int r, int w, int fromEpoch, long next) {
        List<String> out = new ArrayList<>();
        long share = (batchesPerEpoch() / w) * w;
        for (int e = fromEpoch; e < epochs; e++) {
            for (long g = r + (e == fromEpoch ? next : 0); g < share; g += w) {
                out.add(e + ":" + g);
            }
        }
        return out;
    }
}
