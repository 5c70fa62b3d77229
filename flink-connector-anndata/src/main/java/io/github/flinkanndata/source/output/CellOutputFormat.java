package io.github.flinkanndata.source.output;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.Sample;
import java.io.Serializable;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What an {@code AnnDataSource} emits: turns the decoded samples of a split into records, in the
 * role {@code BulkFormat} plays for Flink's FileSource. The enumerator, the splits and the
 * checkpoints do not depend on it, so every format has the same sampling and the same
 * exactly-once guarantee per cell: a record says how many cells it covers, and the split's position
 * advances by that many when it is emitted.
 *
 * <p>Formats: {@link #cells()} (one {@code CellRecord} per cell), {@link #batches(int)} (one
 * {@code CellBatch} per mini-batch), and the {@code Row} and {@code RowData} formats the Python
 * and SQL surfaces use.
 *
 * <p>{@link #convert} runs on the reader's fetcher thread, where the decoding happens. Its records
 * may keep the samples (a per-cell record cuts its rows out of the decoded blocks when they are
 * read, on the task thread) unless the format says it copies them ({@link #copiesSamples}).
 * Implementations are serializable values.
 *
 * @param <T> the record type
 */
@PublicEvolving
public interface CellOutputFormat<T> extends Serializable {

    /** One {@code CellRecord} per cell: the source's default. */
    static CellOutputFormat<io.github.flinkanndata.source.record.CellRecord> cells() {
        return CellRecordFormat.INSTANCE;
    }

    /**
     * Mini-batches of up to {@code batchSize} consecutive cells of one split (see {@code
     * CellBatch} for when a batch is shorter).
     */
    static CellOutputFormat<io.github.flinkanndata.source.record.CellBatch> batches(int batchSize) {
        return new CellBatchFormat(batchSize);
    }

    /**
     * Numbered mini-batches of exactly {@code batchSize} cells: batch {@code g} of an epoch holds
     * the cells at positions {@code [g * batchSize, (g + 1) * batchSize)} of the epoch's sample
     * order, whatever the parallelism; the epoch's partial last batch is not emitted. A batch that
     * spans two splits comes as pieces ({@code BatchAssembler} joins them). A source built with it
     * can start from a {@code BatchToken}.
     */
    static CellOutputFormat<io.github.flinkanndata.source.record.BatchPiece> numberedBatches(int batchSize) {
        return new NumberedBatchFormat(batchSize);
    }

    /** The type of the records, for Flink's serializers. */
    TypeInformation<T> producedType();

    /**
     * How many samples to decode per fetch when the source is configured with {@code configured}
     * ({@code anndata.fetch-rows}): a batch format asks for whole batches.
     */
    default int fetchRows(int configured) {
        return configured;
    }

    /**
     * Whether {@link #convert} copies every value its records need out of the samples, so that
     * nothing reads the samples once it returns. The reader then decodes into arrays it uses again
     * split after split ({@code SlabPool}). False unless a format says so.
     */
    default boolean copiesSamples() {
        return false;
    }

    /**
     * Converts consecutive samples of one split, in split order, into records; each record is
     * handed to {@code out} with the number of cells it covers, which together must be {@code
     * samples.size()}.
     */
    void convert(Context context, int epoch, List<Sample> samples, Collector<T> out);

    /** What a conversion may need besides the samples. */
    interface Context {
        /** The plan the samples were decoded with (it grows with a growing collection). */
        CollectionPlan plan();

        /** Whether matrices were decoded in sparse form. */
        boolean sparse();

        /**
         * Position of the first sample in its epoch's order (every split's emission order, splits in
         * ordinal order), or -1 when its split's place in the epoch is not known.
         */
        long epochPosition();

        /** Samples in the epoch, or -1 when not known. */
        long epochSize();

        /** The collection's fingerprint and the order settings: a position token's key without the format's part. */
        String orderKey();
    }

    /** Receives converted records. */
    interface Collector<T> {
        /**
         * A record covering the next {@code cells} cells of the split; a null record passes over
         * cells the format does not emit (their position still advances, so they are not read again).
         */
        void collect(@Nullable T record, int cells);
    }
}
