package io.github.flinkanndata.collection;

import io.github.flinkanndata.annotation.Internal;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.AnnDataStore;
import io.github.flinkanndata.format.MatrixElement;
import io.github.flinkanndata.format.RowBlock;
import io.github.flinkanndata.format.tree.DataType;
import io.github.flinkanndata.format.tree.SlabPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.annotation.Nullable;

/**
 * Decodes samples of one store, given the plan and the store opened by the caller: the
 * TaskManager-side half of the collection. A range of positions is read with one range read per
 * requested element ({@link MatrixElement#readRows}) per run of nearby kept rows (at most ~128 Ki
 * stored values per read), cast to the output type and completed with obs values; each sample
 * cuts its rows out of its run's blocks, remapped to joint order, when they are asked for.
 *
 * <p>{@code AnnDataCollection.get(i)} is a one-row {@link #decode} call, so single and batch
 * reads agree by construction.
 *
 * <p>Obs columns are decoded whole, once per key, on first use (the format layer decodes columns
 * whole). Thread-safe: concurrent {@link #decode} calls are allowed; the store must stay open
 * while they run. The decoder does not own the store.
 */
@Internal
public final class SampleDecoder {
    /** Rows skipped by the filter inside one range read; a larger gap starts a new read. */
    static final int MAX_GAP = 64;

    /**
     * Stored values one range read aims at: ~1 Mi (a 512-row block of a typical CSR matrix). The
     * chunks a read covers whole are decompressed straight into its arrays through a reused
     * buffer; only its two edge chunks go through the chunk cache (decoded into a chunk array,
     * cached, copied). Reads of 128 Ki values (tried first, to keep arrays below G1's humongous
     * size) covered two or three chunks, nearly all of them edges: on the benchmark's zstd stores
     * one thread decoded 22-24k cells per CPU-second that way and 30-32k with 1 Mi (benchmark case
     * {@code coll:range}; the codec alone does 44k). The larger arrays are humongous, and G1 frees
     * humongous primitive arrays at the next young collection once unreferenced.
     */
    static final int TARGET_VALUES_PER_READ = 1 << 20;

    /** Rows per range read, adapted from the last read of this decoder (racy by design: a hint). */
    private volatile int rowsPerRead = 64;

    private final CollectionPlan plan;
    private final int storeIndex;
    private final StorePlan storePlan;
    private final AnnDataStore store;
    private final String[] layerKeys;
    private final MatrixElement[] layers;
    private final RowMapping[] layerMappings;
    private final String[] obsmKeys;
    private final MatrixElement[] obsm;
    // the row shape of each N-D obsm entry (docs/semantics.md §7.1); null for 1-D and 2-D ones
    private final int[][] obsmShapes;
    private final String[] obsKeys;
    private final AtomicReferenceArray<ObsLookup> lookups;

    private SampleDecoder(CollectionPlan plan, int storeIndex, AnnDataStore store) throws AnnDataFormatException {
        this.plan = plan;
        this.storeIndex = storeIndex;
        this.store = store;
        CollectionOptions o = plan.options();
        StorePlan planned = plan.store(storeIndex);
        MatrixElement x = store.x();
        if (x == null || x.rows() != planned.rows() || x.cols() != planned.xCols()) {
            throw CollectionException.inStore(store.location(), "X", "the store does not match the plan (X "
                    + (x == null ? "missing" : x.rows() + "x" + x.cols()) + ", planned " + planned.rows()
                    + "x" + planned.xCols() + "); was it changed or swapped after planning?");
        }
        // a plan that travelled without kept rows gets this store's back from the store itself
        this.storePlan = CollectionPlanner.completeStore(plan, storeIndex, store);
        RowMapping joined = RowMapping.of(plan.effectiveJoin(), storePlan.varIndices(),
                plan.nVars() == null ? -1 : plan.nVars(), Math.toIntExact(storePlan.xCols()));
        this.layerKeys = StorePlan.present(o.layersKeys(), storePlan.layerMask(), "");
        this.layers = new MatrixElement[layerKeys.length];
        this.layerMappings = new RowMapping[layerKeys.length];
        for (int i = 0; i < layerKeys.length; i++) {
            layers[i] = element(CollectionPlanner.layerPath(layerKeys[i]));
            // raw.X keeps raw's own variables whatever the join
            layerMappings[i] = layerKeys[i].equals("raw.X") ? RowMapping.IDENTITY : joined;
        }
        this.obsmKeys = o.obsmKeys() == null ? new String[0]
                : StorePlan.present(o.obsmKeys(), storePlan.obsmMask(), "");
        this.obsm = new MatrixElement[obsmKeys.length];
        this.obsmShapes = new int[obsmKeys.length][];
        for (int i = 0; i < obsmKeys.length; i++) {
            obsm[i] = element("obsm/" + obsmKeys[i]);
            obsmShapes[i] = obsm[i].rowShape();
        }
        this.obsKeys = o.obsKeys() == null ? new String[0] : StorePlan.present(o.obsKeys(), storePlan.obsMask(), "");
        this.lookups = new AtomicReferenceArray<>(obsKeys.length);
    }

    /**
     * A decoder of store {@code storeIndex} of {@code plan}; the caller opened {@code store} from
     * {@code plan.store(storeIndex).path()} and closes it after the decoder's last use. If the
     * plan holds only the store's kept-row count (decoded without kept rows), the decoder
     * re-derives the rows from the store first ({@link CollectionPlanner#completeStore}).
     *
     * @throws AnnDataFormatException if the store does not hold what the plan says
     */
    public static SampleDecoder create(CollectionPlan plan, int storeIndex, AnnDataStore store)
            throws AnnDataFormatException {
        return new SampleDecoder(plan, storeIndex, store);
    }

    private MatrixElement element(String path) throws AnnDataFormatException {
        MatrixElement m = path.equals("X") ? store.x() : store.matrix(path);
        if (m == null) {
            throw CollectionException.inStore(store.location(), path,
                    "planned element is missing; was the store changed?");
        }
        return m;
    }

    public int storeIndex() {
        return storeIndex;
    }

    /**
     * Decodes the samples at positions {@code [from, to)} of this store (positions count kept rows,
     * see {@link StorePlan}), in order.
     *
     * @param sparse whether matrix rows are produced in sparse form (both forms stay available)
     */
    public List<Sample> decode(long from, long to, boolean sparse) throws AnnDataFormatException {
        return decode(from, to, sparse, null);
    }

    /**
     * As {@link #decode(long, long, boolean)}; sparse blocks may be read into arrays of {@code
     * lease}, which the samples read from until it is released: the caller releases it only once
     * every sample has been consumed (and none is kept).
     */
    public List<Sample> decode(long from, long to, boolean sparse, @Nullable SlabPool.Lease lease)
            throws AnnDataFormatException {
        if (from < 0 || to < from || to > storePlan.keptRows()) {
            throw new IndexOutOfBoundsException("positions [" + from + ", " + to + ") outside [0, "
                    + storePlan.keptRows() + ") of store " + storeIndex);
        }
        List<Sample> out = new ArrayList<>(Math.toIntExact(to - from));
        prefetch(from, to);
        long pos = from;
        while (pos < to) {
            // one run: kept rows close enough to share a range read
            long first = storePlan.row(pos);
            long last = first;
            long end = pos + 1;
            long maxEnd = pos + rowsPerRead;
            while (end < to && end < maxEnd && storePlan.row(end) - last <= MAX_GAP) {
                last = storePlan.row(end++);
            }
            decodeRun(pos, end, first, last + 1, sparse, lease, out);
            pos = end;
        }
        return out;
    }

    /**
     * Asks a remote store for the chunks of all the rows of positions {@code [from, to)}, of every
     * matrix, at once ({@link MatrixElement#prefetchRows}: concurrently, neighbours coalesced), so
     * that the range reads of {@link #decode}, of {@code rowsPerRead} rows each, find them in the
     * range cache instead of fetching one chunk after the other. Skipped when the positions are
     * kept rows far apart (a filtered store: the runs read only what they need), and a no-op for
     * local stores. Only a hint: never fails. Thread-safe, as {@link #decode} is.
     */
    public void prefetch(long from, long to) {
        if (from < 0 || to - from < 2 || to > storePlan.keptRows()) {
            return;
        }
        long first = storePlan.row(from);
        long end = storePlan.row(to - 1) + 1;
        if (end - first > 2 * (to - from) + MAX_GAP) {
            return;
        }
        for (MatrixElement m : layers) {
            m.prefetchRows(first, end);
        }
        for (MatrixElement m : obsm) {
            m.prefetchRows(first, end);
        }
    }

    /** Whether {@link #prefetch} does anything: a matrix read is of a remote store. */
    public boolean prefetches() {
        for (MatrixElement m : layers) {
            if (m.prefetches()) {
                return true;
            }
        }
        for (MatrixElement m : obsm) {
            if (m.prefetches()) {
                return true;
            }
        }
        return false;
    }

    private void decodeRun(long from, long to, long firstRow, long endRow, boolean sparse,
            @Nullable SlabPool.Lease lease, List<Sample> out) throws AnnDataFormatException {
        RowBlock[] layerBlocks = new RowBlock[layers.length];
        Object[] layerValues = new Object[layers.length];
        long values = 0;
        for (int i = 0; i < layers.length; i++) {
            layerBlocks[i] = layers[i].readRows(firstRow, endRow, lease);
            layerValues[i] = Kernels.cast(layerBlocks[i].values(), outputType(layers[i]));
            values = Math.max(values, layerBlocks[i].valueCount());
        }
        adaptRowsPerRead(endRow - firstRow, values);
        RowBlock[] obsmBlocks = new RowBlock[obsm.length];
        Object[] obsmValues = new Object[obsm.length];
        for (int i = 0; i < obsm.length; i++) {
            obsmBlocks[i] = obsm[i].readRows(firstRow, endRow, lease);
            obsmValues[i] = Kernels.cast(obsmBlocks[i].values(), outputType(obsm[i]));
        }
        ObsLookup[] obsLookups = new ObsLookup[obsKeys.length];
        for (int i = 0; i < obsKeys.length; i++) {
            obsLookups[i] = lookup(i);
        }
        Run run = new Run(layerBlocks, layerValues, obsmBlocks, obsmValues, sparse);
        for (long pos = from; pos < to; pos++) {
            long row = storePlan.row(pos);
            int k = (int) (row - firstRow);
            Object[] obsValues = new Object[obsKeys.length];
            for (int i = 0; i < obsKeys.length; i++) {
                obsValues[i] = obsLookups[i].value(Math.toIntExact(row));
            }
            out.add(new Sample(plan.offset(storeIndex) + pos, storeIndex, row, layerKeys, obsmKeys, obsKeys,
                    obsValues, run, k));
        }
    }

    /** The blocks of one range read; each of its samples cuts its rows from them on first use. */
    private final class Run implements Sample.RowSource {
        private final RowBlock[] layerBlocks;
        private final Object[] layerValues;
        private final RowBlock[] obsmBlocks;
        private final Object[] obsmValues;
        private final boolean sparse;

        Run(RowBlock[] layerBlocks, Object[] layerValues, RowBlock[] obsmBlocks, Object[] obsmValues, boolean sparse) {
            this.layerBlocks = layerBlocks;
            this.layerValues = layerValues;
            this.obsmBlocks = obsmBlocks;
            this.obsmValues = obsmValues;
            this.sparse = sparse;
        }

        @Override
        public MatrixRow layer(int k, int i) {
            return layerMappings[i].row(layerBlocks[i], layerValues[i], k, outputType(layers[i]), sparse);
        }

        @Override
        public MatrixRow obsm(int k, int i) {
            MatrixRow r = RowMapping.IDENTITY.row(obsmBlocks[i], obsmValues[i], k, outputType(obsm[i]), sparse);
            return obsmShapes[i] == null ? r : r.withShape(obsmShapes[i]);
        }

        @Override
        public long matrixBytes(int k) {
            long bytes = 0;
            for (int i = 0; i < layers.length; i++) {
                bytes += blockRowBytes(layerBlocks[i], k, outputType(layers[i]), layerMappings[i].width(layerBlocks[i]));
            }
            for (int i = 0; i < obsm.length; i++) {
                bytes += blockRowBytes(obsmBlocks[i], k, outputType(obsm[i]), obsmBlocks[i].width());
            }
            return bytes;
        }

        @Override
        public int bound(int k, int i, boolean isObsm, boolean sparseOut) {
            return isObsm ? RowMapping.IDENTITY.bound(obsmBlocks[i], k, sparseOut)
                    : layerMappings[i].bound(layerBlocks[i], k, sparseOut);
        }

        @Override
        public int write(int k, int i, boolean isObsm, boolean sparseOut, @Nullable int[] indices, float[] out,
                int pos) {
            return isObsm
                    ? RowMapping.IDENTITY.write(obsmBlocks[i], obsmValues[i], k, outputType(obsm[i]), sparseOut,
                            indices, out, pos)
                    : layerMappings[i].write(layerBlocks[i], layerValues[i], k, outputType(layers[i]), sparseOut,
                            indices, out, pos);
        }

        private long blockRowBytes(RowBlock b, int k, DataType type, int width) {
            int item = Math.max(1, type.storedSize());
            if (b.isSparse() && sparse) {
                return (long) (b.indptr()[k + 1] - b.indptr()[k]) * (4 + item);
            }
            return (long) width * item;
        }
    }

    private void adaptRowsPerRead(long rows, long values) {
        if (rows >= 8 && values > 0) {
            long perRow = Math.max(1, values / rows);
            rowsPerRead = (int) Math.max(16, Math.min(4096, TARGET_VALUES_PER_READ / perRow));
        }
    }

    /** The dtype, or the element's stored type (the {@code data} type of a sparse element). */
    private DataType outputType(MatrixElement m) {
        OutputType t = plan.options().dtype();
        return t == null ? m.dataType() : t.dataType();
    }

    private ObsLookup lookup(int i) throws AnnDataFormatException {
        ObsLookup l = lookups.get(i);
        if (l == null) {
            synchronized (lookups) {
                l = lookups.get(i);
                if (l == null) {
                    String key = obsKeys[i];
                    @Nullable LabelEncoder encoder = plan.encoders().get(key);
                    l = new ObsLookup(store.obs().column(key), encoder);
                    lookups.set(i, l);
                }
            }
        }
        return l;
    }

    @Override
    public String toString() {
        return "SampleDecoder{store " + storeIndex + ": " + store.location() + "}";
    }
}
