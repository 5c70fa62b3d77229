package io.github.flinkanndata.source;

import io.github.flinkanndata.collection.CollectionOptions;
import io.github.flinkanndata.source.config.SourceSettings;
import io.github.flinkanndata.source.enumerator.AnnDataEnumState;
import io.github.flinkanndata.source.enumerator.AnnDataEnumStateSerializer;
import io.github.flinkanndata.source.enumerator.AnnDataSplitEnumerator;
import io.github.flinkanndata.source.enumerator.StartTokens;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.output.NumberedBatchFormat;
import io.github.flinkanndata.source.reader.AnnDataSourceReader;
import io.github.flinkanndata.source.split.AnnDataSplit;
import io.github.flinkanndata.source.split.AnnDataSplitSerializer;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A Flink source of cells from an AnnData collection: {@code .h5ad} files and {@code .zarr}
 * stores, read as lamindb's {@code MappedCollection} reads them, sample for sample.
 *
 * <p>The enumerator plans the collection once when the job starts (row counts after the obs
 * filter, joint genes, merged label categories) and checkpoints the plan; readers pull splits —
 * runs of rows, each read with one range read — and decode, remap and label-encode them. Every
 * random choice is a pure function of {@code (seed, epoch, split)}, so a job restored from a
 * checkpoint or savepoint continues with exactly the next sample: in sequential and
 * block-shuffled sampling each {@code (epoch, global index)} is emitted exactly once.
 *
 * <p>What it emits is its {@link CellOutputFormat}: one {@code CellRecord} per cell ({@link
 * AnnDataSourceBuilder#build()}), mini-batches ({@code build(CellOutputFormat.batches(512))}), or
 * the rows of the SQL and Python surfaces. The enumerator, splits and checkpoints are the same for
 * every format, and so are the guarantees, per cell.
 *
 * <pre>{@code
 * DataStream<CellRecord> cells = env.fromSource(
 *         AnnDataSource.builder("pbmc.h5ad").obsKeys("cell_type").build(),
 *         WatermarkStrategy.noWatermarks(), "cells");
 * DataStream<CellBatch> batches = env.fromSource(
 *         AnnDataSource.builder("pbmc.h5ad").obsKeys("cell_type").build(CellOutputFormat.batches(512)),
 *         WatermarkStrategy.noWatermarks(), "batches");
 * }</pre>
 *
 * Bounded for a number of epochs; continuous with {@code epochs(UNBOUNDED)}.
 *
 * @param <T> the record type, set by the output format
 */
@PublicEvolving
public final class AnnDataSource<T>
        implements Source<T, AnnDataSplit, AnnDataEnumState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final SourceSettings settings;
    private final CellOutputFormat<T> format;

    AnnDataSource(SourceSettings settings, CellOutputFormat<T> format) {
        this.settings = settings;
        this.format = java.util.Objects.requireNonNull(format, "format");
        if (settings.startToken() != null) {
            try {
                StartTokens.checkSettings(settings.startToken(), settings, NumberedBatchFormat.batchSizeOf(format));
            } catch (IllegalArgumentException e) {
                throw new InvalidOptionException(AnnDataSourceOptions.START_TOKEN, "%s", e.getMessage());
            }
        }
    }

    /** A builder for the collection of the given stores, in order. */
    public static AnnDataSourceBuilder builder(String... paths) {
        return new AnnDataSourceBuilder(Arrays.asList(paths));
    }

    public static AnnDataSourceBuilder builder(List<String> paths) {
        return new AnnDataSourceBuilder(paths);
    }

    /**
     * A builder over collection options built elsewhere (for tools that already hold them); its
     * collection setters then refuse to change them.
     */
    public static AnnDataSourceBuilder builder(CollectionOptions collection) {
        return new AnnDataSourceBuilder(collection);
    }

    /** The options of the collection this source reads, validated. */
    public CollectionOptions collection() {
        return settings.collection();
    }

    /** The validated settings: for the connector's own surfaces, tools and tests; not API. */
    @Internal
    public SourceSettings settings() {
        return settings;
    }

    /** The output format: what each record is. */
    public CellOutputFormat<T> format() {
        return format;
    }

    /**
     * The same source with another output format: same collection, sampling and checkpoints (a
     * savepoint of one restores the other).
     */
    public <R> AnnDataSource<R> withFormat(CellOutputFormat<R> other) {
        return new AnnDataSource<>(settings, other);
    }

    @Override
    public Boundedness getBoundedness() {
        return settings.bounded() ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, AnnDataSplit> createReader(SourceReaderContext context) {
        return AnnDataSourceReader.create(context, settings, format);
    }

    @Override
    public SplitEnumerator<AnnDataSplit, AnnDataEnumState> createEnumerator(
            SplitEnumeratorContext<AnnDataSplit> context) {
        return AnnDataSplitEnumerator.create(context, settings, AnnDataEnumState.initial());
    }

    @Override
    public SplitEnumerator<AnnDataSplit, AnnDataEnumState> restoreEnumerator(
            SplitEnumeratorContext<AnnDataSplit> context, AnnDataEnumState checkpoint) {
        return AnnDataSplitEnumerator.create(context, settings, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<AnnDataSplit> getSplitSerializer() {
        return AnnDataSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<AnnDataEnumState> getEnumeratorCheckpointSerializer() {
        return new AnnDataEnumStateSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return format.producedType();
    }

    @Override
    public String toString() {
        return "AnnDataSource{" + settings + ", format=" + format + "}";
    }
}
