package io.github.flinkanndata.source.output;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.BatchPieceTypeInfo;
import io.github.flinkanndata.source.record.CellBatchBuilder;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * {@link BatchPiece}s of batches numbered by their position in the epoch: a sample at position
 * {@code q} of its epoch's order (its split's place plus its position in the split) belongs to
 * batch {@code q / batchSize}. Samples of the epoch's partial last batch are passed over.
 */
@Internal
public final class NumberedBatchFormat implements CellOutputFormat<BatchPiece> {
    private static final long serialVersionUID = 1L;

    private final int batchSize;

    NumberedBatchFormat(int batchSize) {
        if (batchSize < 1 || batchSize > CellBatchFormat.MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be in [1, " + CellBatchFormat.MAX_BATCH_SIZE
                    + "], was " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /** The batch size of a numbered-batch format, or 0 for any other format. */
    public static int batchSizeOf(CellOutputFormat<?> format) {
        return format instanceof NumberedBatchFormat ? ((NumberedBatchFormat) format).batchSize : 0;
    }

    /** The part of a position token's key this format adds to the collection's and settings' part. */
    public static String keySuffix(int batchSize) {
        return "b" + batchSize;
    }

    @Override
    public TypeInformation<BatchPiece> producedType() {
        return BatchPieceTypeInfo.INSTANCE;
    }

    @Override
    public int fetchRows(int configured) {
        long whole = Math.max(1, (configured + batchSize - 1) / batchSize);
        return (int) Math.min(Integer.MAX_VALUE - 8, whole * batchSize);
    }

    @Override
    public void convert(Context context, int epoch, List<Sample> samples, Collector<BatchPiece> out) {
        if (context.epochPosition() < 0) {
            throw new IllegalStateException("a split of epoch " + epoch + " has no place in its epoch (restored from a"
                    + " checkpoint of an older version?); numbered batches need it");
        }
        CollectionOptions o = context.plan().options();
        CellBatchBuilder builder = new CellBatchBuilder(o.layersKeys(),
                o.obsmKeys() == null ? List.of() : o.obsmKeys(), o.obsKeys() == null ? List.of() : o.obsKeys(),
                context.sparse());
        String key = context.orderKey() + "-" + keySuffix(batchSize);
        long batches = context.epochSize() / batchSize;
        long first = context.epochPosition();
        int from = 0;
        while (from < samples.size()) {
            long q = first + from;
            long g = q / batchSize;
            int offset = (int) (q % batchSize);
            int to = Math.min(samples.size(), from + (batchSize - offset));
            if (g >= batches) {
                out.collect(null, to - from); // the epoch's partial last batch
            } else {
                out.collect(new BatchPiece(key, epoch, g, offset, batchSize, batches,
                        builder.build(epoch, samples, from, to)), to - from);
            }
            from = to;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NumberedBatchFormat && ((NumberedBatchFormat) o).batchSize == batchSize;
    }

    @Override
    public int hashCode() {
        return 31 * batchSize + 7;
    }

    @Override
    public String toString() {
        return "numberedBatches(" + batchSize + ")";
    }
}
