package io.github.flinkanndata.source.output;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.record.CellBatch;
import io.github.flinkanndata.source.record.CellBatchBuilder;
import io.github.flinkanndata.source.record.CellBatchTypeInfo;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** {@link CellBatch}es of up to {@code batchSize} consecutive cells of one split. */
@Internal
final class CellBatchFormat implements CellOutputFormat<CellBatch> {
    private static final long serialVersionUID = 1L;

    /** Large enough for any training batch, small enough that a batch's arrays stay modest. */
    static final int MAX_BATCH_SIZE = 1 << 20;

    private final int batchSize;

    CellBatchFormat(int batchSize) {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be in [1, " + MAX_BATCH_SIZE + "], was " + batchSize);
        }
        this.batchSize = batchSize;
    }

    int batchSize() {
        return batchSize;
    }

    @Override
    public TypeInformation<CellBatch> producedType() {
        return CellBatchTypeInfo.INSTANCE;
    }

    /** Whole batches per fetch, so that only a split's last batch is short. */
    @Override
    public int fetchRows(int configured) {
        long whole = Math.max(1, (configured + batchSize - 1) / batchSize);
        return (int) Math.min(Integer.MAX_VALUE - 8, whole * batchSize);
    }

    /** The batches are copied out of the samples ({@code CellBatchBuilder}). */
    @Override
    public boolean copiesSamples() {
        return true;
    }

    @Override
    public void convert(Context context, int epoch, List<Sample> samples, Collector<CellBatch> out) {
        CollectionOptions o = context.plan().options();
        CellBatchBuilder builder = new CellBatchBuilder(o.layersKeys(),
                o.obsmKeys() == null ? List.of() : o.obsmKeys(), o.obsKeys() == null ? List.of() : o.obsKeys(),
                context.sparse());
        for (int from = 0; from < samples.size(); from += batchSize) {
            int to = Math.min(samples.size(), from + batchSize);
            out.collect(builder.build(epoch, samples, from, to), to - from);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CellBatchFormat && ((CellBatchFormat) o).batchSize == batchSize;
    }

    @Override
    public int hashCode() {
        return batchSize;
    }

    @Override
    public String toString() {
        return "batches(" + batchSize + ")";
    }
}
