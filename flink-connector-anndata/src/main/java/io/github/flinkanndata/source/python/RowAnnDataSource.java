package io.github.flinkanndata.source.python;

import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.enumerator.AnnDataEnumState;
import io.github.flinkanndata.source.split.AnnDataSplit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.types.Row;

/**
 * An {@link AnnDataSource} that emits Flink {@link Row}s instead of {@code CellRecord}s: the form
 * PyFlink converts to Python objects (the {@code flink_anndata} Python package wraps this class),
 * also usable from Java wherever a {@link RowTypeInfo} is wanted. The fields are described by
 * {@link CellRowSchema}: metadata, one float array (dense) or {@code Row(indices, values, size)}
 * (sparse) per matrix, obsm arrays and obs values.
 *
 * <p>Enumerator, splits and checkpoints are those of the wrapped source, so the rows come with the
 * same sampling and exactly-once guarantees, and a savepoint of one is a savepoint of the other.
 *
 * <pre>{@code
 * RowAnnDataSource source = RowAnnDataSource.of(
 *         AnnDataSource.builder("a.h5ad").obsKeys("cell_type", "donor").encodeLabels(List.of("cell_type")).build(),
 *         Map.of("donor", ObsFieldType.STRING));
 * DataStream<Row> cells = env.fromSource(source, WatermarkStrategy.noWatermarks(), "cells");
 * }</pre>
 */
@PublicEvolving
public final class RowAnnDataSource
        implements Source<Row, AnnDataSplit, AnnDataEnumState>, ResultTypeQueryable<Row> {
    private static final long serialVersionUID = 1L;

    private final AnnDataSource source;
    private final CellRowSchema schema;

    private RowAnnDataSource(AnnDataSource source, CellRowSchema schema) {
        this.source = source;
        this.schema = schema;
    }

    /** Rows of {@code source}; raw (not encoded) obs keys are STRING fields. */
    public static RowAnnDataSource of(AnnDataSource source) {
        return of(source, Map.of());
    }

    /**
     * Rows of {@code source}, with the declared types of raw obs keys.
     *
     * @throws IllegalArgumentException if a type does not fit its key (see {@link CellRowSchema#of})
     */
    public static RowAnnDataSource of(AnnDataSource source, Map<String, ObsFieldType> obsTypes) {
        return new RowAnnDataSource(source, CellRowSchema.of(source.settings(), obsTypes));
    }

    /**
     * As {@link #of(AnnDataSource, Map)} with the types spelled in lower case ({@code "string"},
     * {@code "long"}, {@code "double"}, {@code "boolean"}, {@code "int"}): the form Python passes.
     */
    public static RowAnnDataSource ofSpelled(AnnDataSource source, Map<String, String> obsTypes) {
        return ofSpelled(source, obsTypes, Map.of());
    }

    /**
     * Rows of {@code source}, with the declared types of raw obs keys and the number of
     * dimensions of obsm entries that have more than two (see {@link CellRowSchema#of(
     * io.github.flinkanndata.source.SourceSettings, Map, Map)}).
     */
    public static RowAnnDataSource of(AnnDataSource source, Map<String, ObsFieldType> obsTypes,
            Map<String, Integer> obsmNdims) {
        return new RowAnnDataSource(source, CellRowSchema.of(source.settings(), obsTypes, obsmNdims));
    }

    /** As {@link #of(AnnDataSource, Map, Map)} with the obs types spelled: the form Python passes. */
    public static RowAnnDataSource ofSpelled(AnnDataSource source, Map<String, String> obsTypes,
            Map<String, Integer> obsmNdims) {
        Map<String, ObsFieldType> types = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : obsTypes.entrySet()) {
            types.put(e.getKey(), ObsFieldType.parse(e.getValue(), e.getKey()));
        }
        return of(source, types, obsmNdims);
    }

    /** The wrapped record source. */
    public AnnDataSource recordSource() {
        return source;
    }

    /** The field names of the rows, in order. */
    public java.util.List<String> fieldNames() {
        return schema.fieldNames();
    }

    @Override
    public Boundedness getBoundedness() {
        return source.getBoundedness();
    }

    @Override
    public SourceReader<Row, AnnDataSplit> createReader(SourceReaderContext context) throws Exception {
        return new RowSourceReader(source.createReader(context), new CellRowMapper(schema));
    }

    @Override
    public SplitEnumerator<AnnDataSplit, AnnDataEnumState> createEnumerator(
            SplitEnumeratorContext<AnnDataSplit> context) {
        return source.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<AnnDataSplit, AnnDataEnumState> restoreEnumerator(
            SplitEnumeratorContext<AnnDataSplit> context, AnnDataEnumState checkpoint) {
        return source.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<AnnDataSplit> getSplitSerializer() {
        return source.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<AnnDataEnumState> getEnumeratorCheckpointSerializer() {
        return source.getEnumeratorCheckpointSerializer();
    }

    @Override
    public RowTypeInfo getProducedType() {
        return schema.typeInfo();
    }

    @Override
    public String toString() {
        return "RowAnnDataSource{" + source + ", " + schema + "}";
    }
}
