package io.github.flinkanndata.source.output;

import io.github.flinkanndata.collection.CollectionPlan;
import io.github.flinkanndata.collection.Sample;
import java.io.Serializable;
import java.util.List;
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
 * <p>{@link #convert} runs on the reader's fetcher thread, where the decoding happens; a format
 * must not keep the samples after it returns. Implementations are serializable values.
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
    }

    /** Receives converted records. */
    interface Collector<T> {
        /** A record covering the next {@code cells} cells of the split. */
        void collect(T record, int cells);
    }
}
