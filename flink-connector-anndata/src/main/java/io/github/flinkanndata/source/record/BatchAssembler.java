package io.github.flinkanndata.source.record;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Joins the {@link BatchPiece}s of numbered batches into whole batches. Pieces of one batch may
 * arrive in any order and from different readers; a batch is complete when its pieces cover its
 * {@code batchSize} cells. Not thread-safe.
 *
 * <p>What it holds is bounded by the splits being read at once: only batches that straddle a
 * split boundary arrive in more than one piece.
 */
@PublicEvolving
public final class BatchAssembler {
    private final Map<Long, List<BatchPiece>> open = new HashMap<>();
    private final Map<Long, Integer> covered = new HashMap<>();

    /**
     * Adds a piece; returns the whole batch it completes (a piece with offset 0 and every cell),
     * or null while the batch is still missing cells.
     *
     * @throws IllegalArgumentException if the piece overlaps one already held
     */
    public BatchPiece add(BatchPiece piece) {
        List<BatchPiece> parts = addPart(piece);
        if (parts == null) {
            return null;
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        List<CellBatch> cells = new ArrayList<>(parts.size());
        parts.forEach(p -> cells.add(p.cells()));
        return new BatchPiece(piece.key(), piece.epoch(), piece.batch(), 0, piece.batchSize(),
                piece.batchesInEpoch(), concat(cells));
    }

    /**
     * Adds a piece; returns the pieces of the batch it completes, in cell order (together they
     * cover the batch), or null while the batch is still missing cells. Unlike {@link #add} it
     * does not copy the cells into one batch, for consumers that can take a batch in parts.
     *
     * @throws IllegalArgumentException if the piece overlaps one already held
     */
    public List<BatchPiece> addPart(BatchPiece piece) {
        if (piece.complete()) {
            return List.of(piece);
        }
        long id = id(piece);
        List<BatchPiece> pieces = open.computeIfAbsent(id, k -> new ArrayList<>());
        for (BatchPiece p : pieces) {
            if (piece.offset() < p.offset() + p.cells().size() && p.offset() < piece.offset() + piece.cells().size()) {
                throw new IllegalArgumentException(piece + " overlaps " + p + " (a piece was delivered twice)");
            }
        }
        pieces.add(piece);
        int n = covered.merge(id, piece.cells().size(), Integer::sum);
        if (n < piece.batchSize()) {
            return null;
        }
        open.remove(id);
        covered.remove(id);
        pieces.sort(Comparator.comparingInt(BatchPiece::offset));
        return pieces;
    }

    /** The pieces of incomplete batches, for a checkpoint; {@link #add} them again to restore. */
    public List<BatchPiece> pending() {
        List<BatchPiece> out = new ArrayList<>();
        open.values().forEach(out::addAll);
        return out;
    }

    /** Number of incomplete batches held. */
    public int openBatches() {
        return open.size();
    }

    private static long id(BatchPiece p) {
        // epochs and batches of one epoch: an epoch never has 2^40 batches of at least one cell
        return ((long) p.epoch() << 40) | p.batch();
    }

    /** The cells of consecutive batches of one epoch, in order, as one batch. */
    public static CellBatch concat(List<CellBatch> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        CellBatch first = parts.get(0);
        int n = 0;
        for (CellBatch b : parts) {
            if (b.epoch() != first.epoch() || !b.keys().equals(first.keys())) {
                throw new IllegalArgumentException("cannot join " + b + " to " + first);
            }
            n += b.size();
        }
        long[] global = new long[n];
        int[] store = new int[n];
        long[] row = new long[n];
        int at = 0;
        for (CellBatch b : parts) {
            System.arraycopy(b.globalIndex(), 0, global, at, b.size());
            System.arraycopy(b.storeIndex(), 0, store, at, b.size());
            System.arraycopy(b.row(), 0, row, at, b.size());
            at += b.size();
        }
        Map<String, MatrixBlock> matrices = new LinkedHashMap<>();
        for (String k : first.matrices().keySet()) {
            matrices.put(k, concatBlocks(parts, b -> b.matrices().get(k), n));
        }
        Map<String, MatrixBlock> obsm = new LinkedHashMap<>();
        for (String k : first.obsm().keySet()) {
            obsm.put(k, concatBlocks(parts, b -> b.obsm().get(k), n));
        }
        Map<String, Object[]> obs = new LinkedHashMap<>();
        for (String k : first.obs().keySet()) {
            Object[] values = new Object[n];
            int i = 0;
            for (CellBatch b : parts) {
                Object[] v = b.obs().get(k);
                System.arraycopy(v, 0, values, i, v.length);
                i += v.length;
            }
            obs.put(k, values);
        }
        return new CellBatch(first.epoch(), global, store, row, matrices, obsm, obs);
    }

    private static MatrixBlock concatBlocks(List<CellBatch> parts,
            java.util.function.Function<CellBatch, MatrixBlock> get, int rows) {
        boolean sparse = get.apply(parts.get(0)).isSparse();
        int values = 0;
        boolean allPresent = true;
        for (CellBatch b : parts) {
            MatrixBlock m = get.apply(b);
            if (m.isSparse() != sparse) {
                throw new IllegalArgumentException("cannot join sparse and dense blocks");
            }
            values += m.values().length;
            for (int i = 0; i < m.rows() && allPresent; i++) {
                allPresent = m.present(i);
            }
        }
        int[] indptr = new int[rows + 1];
        int[] indices = sparse ? new int[values] : null;
        float[] vals = new float[values];
        int[] widths = new int[rows];
        boolean[] present = allPresent ? null : new boolean[rows];
        int r = 0;
        int v = 0;
        for (CellBatch b : parts) {
            MatrixBlock m = get.apply(b);
            int[] ip = m.indptr();
            for (int i = 0; i < m.rows(); i++) {
                indptr[r + i + 1] = v + ip[i + 1];
                if (present != null) {
                    present[r + i] = m.present(i);
                }
            }
            System.arraycopy(m.widths(), 0, widths, r, m.rows());
            System.arraycopy(m.values(), 0, vals, v, m.values().length);
            if (sparse) {
                System.arraycopy(m.indices(), 0, indices, v, m.values().length);
            }
            r += m.rows();
            v += m.values().length;
        }
        return new MatrixBlock(indptr, indices, vals, widths, present);
    }
}
