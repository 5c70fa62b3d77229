package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.format.tree.AnnDataFormatException;
import io.github.flinkanndata.format.tree.SlabPool;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.split.AnnDataSplit;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.metrics.Counter;

/**
 * Decodes splits on the fetcher thread: rows are read in ranges (never one by one), remapped to
 * the joint genes, cast and label-encoded batch-wise by the collection's decoder, then converted
 * by the output format into the records the task thread emits (one per cell, or one per batch).
 *
 * <p>Splits are processed one at a time in arrival order; each {@link #fetch()} hands out at most
 * the format's fetch size of the current split. Decoding runs one step ahead on the pool: the next
 * fetch of a plain split, and the next split as soon as the current one is decoded to its end
 * (the reader asks for its next split when it starts emitting one, so it usually holds it), so
 * the pool decodes while the fetcher converts and the task thread emits. Memory: what is being
 * emitted plus one step ahead (for a shuffled split, one more split).
 */
@Internal
final class AnnDataSplitReader<T> implements SplitReader<ConvertedRecord<T>, AnnDataSplit> {
    private final PlanHolder planHolder;
    private final boolean sparse;
    private final CellOutputFormat<T> format;
    private final int fetchRows;
    private final StoreHandles stores;
    private final ThreadPoolExecutor pool;
    private final Counter bytesIn;
    private final Deque<SplitCursor> queue = new ArrayDeque<>();
    @Nullable private SplitCursor current;
    /** Where the arrays of formats that copy the samples come from ({@link SlabPool}: why). */
    private final SharedSlabs slabs;
    private final SlabPool slabPool;
    private boolean closed;
    private final String orderKey;

    AnnDataSplitReader(PlanHolder planHolder, boolean sparse, CellOutputFormat<T> format, int fetchRows,
            int maxOpenStores, int decodeThreads, Counter bytesIn, StoreResolver resolver, String orderKey) {
        this(planHolder, sparse, format, fetchRows, maxOpenStores, decodeThreads, bytesIn, resolver, orderKey,
                SharedSlabs.JVM);
    }

    AnnDataSplitReader(PlanHolder planHolder, boolean sparse, CellOutputFormat<T> format, int fetchRows,
            int maxOpenStores, int decodeThreads, Counter bytesIn, StoreResolver resolver, String orderKey,
            SharedSlabs slabs) {
        this.orderKey = orderKey;
        this.planHolder = planHolder;
        this.sparse = sparse;
        this.format = format;
        this.fetchRows = format.fetchRows(fetchRows);
        this.stores = new StoreHandles(maxOpenStores, resolver);
        this.pool = DecodePool.get(decodeThreads);
        this.bytesIn = bytesIn;
        this.slabs = slabs;
        this.slabPool = slabs.open();
    }

    @Override
    public RecordsWithSplitIds<ConvertedRecord<T>> fetch() throws IOException {
        RecordsBySplits.Builder<ConvertedRecord<T>> batch = new RecordsBySplits.Builder<>();
        if (current == null) {
            current = queue.poll();
            if (current == null) {
                return batch.build();
            }
        }
        AnnDataSplit split = current.split();
        CollectionPlan plan = planHolder.get();
        if (plan == null) {
            throw new IllegalStateException("split " + split.splitId() + " reached the fetcher before the plan");
        }
        if (!current.done()) {
            int position = current.position();
            List<Sample> samples;
            try {
                samples = current.next(fetchRows, plan, stores, pool);
            } catch (AnnDataFormatException e) {
                throw new IOException("reading split " + split.splitId() + " failed: " + e.getMessage(), e);
            }
            decodeAhead(plan); // before converting what was decoded: the pool works meanwhile
            long bytes = 0;
            for (Sample s : samples) {
                bytes += approximateBytes(s);
            }
            int epoch = split.epoch();
            String id = split.splitId();
            int[] covered = {0};
            format.convert(new FormatContext(plan, sparse, split, position, orderKey), epoch, samples, (record, cells) -> {
                covered[0] += cells;
                batch.add(id, new ConvertedRecord<>(record, cells, epoch));
            });
            current.consumed(); // converted: a format that copies the samples lets their arrays be used again
            if (covered[0] != samples.size()) {
                // the split's position would drift from what was emitted: exactly once would break
                throw new IllegalStateException("output format " + format + " covered " + covered[0]
                        + " cells of " + samples.size());
            }
            bytesIn.inc(bytes);
        }
        if (current.done()) {
            batch.addFinishedSplit(split.splitId());
            current = null;
        }
        return batch.build();
    }

    /**
     * Bytes of matrix values a sample carries: what was decoded for it. Sized without cutting the
     * rows out of their range-read blocks, which the consumer does once when it reads them.
     */
    private static long approximateBytes(Sample s) {
        return s.matrixBytes();
    }

    /**
     * The plan, decoding form and place in the split a conversion sees.
     *
     * @param orderSuffix the source's order settings, which {@link #orderKey()} appends to the
     *     collection's fingerprint
     */
    private record FormatContext(CollectionPlan plan, boolean sparse, AnnDataSplit split, int position,
            String orderSuffix) implements CellOutputFormat.Context {
        @Override
        public long epochPosition() {
            return split.epochOffset() == AnnDataSplit.UNPLACED ? -1 : split.epochOffset() + position;
        }

        @Override
        public long epochSize() {
            return split.epochSize();
        }

        @Override
        public String orderKey() {
            return plan.fingerprint() + "-" + orderSuffix;
        }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<AnnDataSplit> changes) {
        if (!(changes instanceof SplitsAddition)) {
            throw new UnsupportedOperationException("unsupported split change " + changes.getClass().getSimpleName());
        }
        for (AnnDataSplit split : changes.splits()) {
            queue.add(new SplitCursor(split, sparse, format.copiesSamples() ? slabPool : null));
        }
        CollectionPlan plan = planHolder.get();
        if (plan != null) {
            decodeAhead(plan);
        }
    }

    /**
     * Starts the next decoding step on the pool, if none is in flight: the current split's next
     * fetch, or, once the current split is decoded to its end, the first of the next split. A
     * failure to start (a store that cannot be opened) is left to {@link #fetch}, which decodes
     * the split itself and reports it.
     */
    private void decodeAhead(CollectionPlan plan) {
        try {
            if (current != null && !current.decodedToEnd()) {
                current.decodeAhead(fetchRows, plan, stores, pool);
                return;
            }
            SplitCursor next = queue.peek();
            if (next != null) {
                next.decodeAhead(fetchRows, plan, stores, pool);
            }
        } catch (AnnDataFormatException e) {
            // reported by fetch() when the split is reached
        }
    }

    @Override
    public void wakeUp() {
        // fetch() never blocks waiting for data, so there is nothing to interrupt
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (current != null) {
                current.cancel();
            }
            queue.forEach(SplitCursor::cancel);
            stores.close();
        } finally {
            slabs.close();
        }
    }
}
