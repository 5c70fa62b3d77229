package io.github.flinkanndata.source.reader;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.collection.StoreResolver;
import io.github.flinkanndata.format.AnnDataFormatException;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.split.AnnDataSplit;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
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
 * the joint genes, cast and label-encoded batch-wise by the collection's decoder, and handed to
 * the task thread as individual records (so {@code numRecordsIn} counts samples).
 *
 * <p>Splits are processed one at a time in arrival order; each {@link #fetch()} returns at most
 * {@code fetchRows} samples of the current split.
 */
@Internal
final class AnnDataSplitReader implements SplitReader<CellRecord, AnnDataSplit> {
    private final PlanHolder planHolder;
    private final boolean sparse;
    private final int fetchRows;
    private final StoreHandles stores;
    private final Counter bytesIn;
    private final Deque<AnnDataSplit> queue = new ArrayDeque<>();
    @Nullable private SplitCursor current;

    AnnDataSplitReader(PlanHolder planHolder, boolean sparse, int fetchRows, int maxOpenStores, Counter bytesIn,
            StoreResolver resolver) {
        this.planHolder = planHolder;
        this.sparse = sparse;
        this.fetchRows = fetchRows;
        this.stores = new StoreHandles(maxOpenStores, resolver);
        this.bytesIn = bytesIn;
    }

    @Override
    public RecordsWithSplitIds<CellRecord> fetch() throws IOException {
        RecordsBySplits.Builder<CellRecord> batch = new RecordsBySplits.Builder<>();
        if (current == null) {
            AnnDataSplit next = queue.poll();
            if (next == null) {
                return batch.build();
            }
            current = new SplitCursor(next, sparse);
        }
        AnnDataSplit split = current.split();
        CollectionPlan plan = planHolder.get();
        if (plan == null) {
            throw new IllegalStateException("split " + split.splitId() + " reached the fetcher before the plan");
        }
        if (!current.done()) {
            List<Sample> samples;
            try {
                samples = current.next(fetchRows, plan, stores);
            } catch (AnnDataFormatException e) {
                throw new IOException("reading split " + split.splitId() + " failed: " + e.getMessage(), e);
            }
            long bytes = 0;
            for (Sample s : samples) {
                batch.add(split.splitId(), new CellRecord(split.epoch(), s));
                bytes += approximateBytes(s);
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

    @Override
    public void handleSplitsChanges(SplitsChange<AnnDataSplit> changes) {
        if (!(changes instanceof SplitsAddition)) {
            throw new UnsupportedOperationException("unsupported split change " + changes.getClass().getSimpleName());
        }
        queue.addAll(changes.splits());
    }

    @Override
    public void wakeUp() {
        // fetch() never blocks waiting for data, so there is nothing to interrupt
    }

    @Override
    public void close() {
        stores.close();
    }
}
