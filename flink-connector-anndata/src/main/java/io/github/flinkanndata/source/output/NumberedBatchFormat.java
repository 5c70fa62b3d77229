package io.github.flinkanndata.source.output;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.record.BatchPiece;
import io.github.flinkanndata.source.record.BatchPieceTypeInfo;
import io.github.flinkanndata.source.record.CellBatchBuilder;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * {@link BatchPiece}s of batches numbered by their position in the epoch: a sample at position
 * {@code q} of its epoch's order (its split's place plus its position in the split) belongs to
 * batch {@code q / batchSize}. Samples of the epoch's partial last batch are passed over. A batch
 * is emitted in pieces of about {@link #PIECE_BYTES} at most, whether or not it straddles splits.
 */
@Internal
public final class NumberedBatchFormat implements CellOutputFormat<BatchPiece> {
    private static final long serialVersionUID = 1L;
    /**
     * About how many bytes of matrix values a piece carries at most (a batch of more comes as
     * several pieces, which the consumer takes in order). A record of several megabytes costs more
     * than its size on the way: Flink's network stack spills a record over 5 MB to a file on the
     * receiving side, and G1 allocates an array of half a heap region or more (512 KiB at the
     * smallest region size) as "humongous", apart from the young generation, collected only by
     * marking cycles. With 512 KiB per piece, a sparse piece's index and value arrays stay under
     * that at any heap size, and each record's header is still a tiny part of it.
     */
    static final long PIECE_BYTES = 512 << 10;

    private final int batchSize;
    private final long pieceBytes;

    NumberedBatchFormat(int batchSize) {
        this(batchSize, PIECE_BYTES);
    }

    private NumberedBatchFormat(int batchSize, long pieceBytes) {
        if (batchSize < 1 || batchSize > CellBatchFormat.MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be in [1, " + CellBatchFormat.MAX_BATCH_SIZE
                    + "], was " + batchSize);
        }
        this.batchSize = batchSize;
        this.pieceBytes = pieceBytes;
    }

    /** Numbered batches cut into pieces of at most {@code pieceBytes} (tests: many pieces from small stores). */
    @VisibleForTesting
    public static NumberedBatchFormat withPieceBytes(int batchSize, long pieceBytes) {
        return new NumberedBatchFormat(batchSize, pieceBytes);
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

    /** The batches are copied out of the samples ({@code CellBatchBuilder}). */
    @Override
    public boolean copiesSamples() {
        return true;
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
                from = to;
                continue;
            }
            while (from < to) {
                int end = pieceEnd(samples, from, to, pieceBytes);
                out.collect(new BatchPiece(key, epoch, g, (int) ((first + from) % batchSize), batchSize, batches,
                        builder.build(epoch, samples, from, end)), end - from);
                from = end;
            }
        }
    }

    /**
     * The end of the piece that starts at {@code from}: at least one sample, then samples while
     * their matrix values stay within {@code pieceBytes}.
     */
    private static int pieceEnd(List<Sample> samples, int from, int to, long pieceBytes) {
        long bytes = samples.get(from).matrixBytes();
        int end = from + 1;
        while (end < to) {
            bytes += samples.get(end).matrixBytes();
            if (bytes > pieceBytes) {
                break;
            }
            end++;
        }
        return end;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NumberedBatchFormat f && f.batchSize == batchSize && f.pieceBytes == pieceBytes;
    }

    @Override
    public int hashCode() {
        return 31 * batchSize + Long.hashCode(pieceBytes);
    }

    @Override
    public String toString() {
        return "numberedBatches(" + batchSize + ")";
    }
}
