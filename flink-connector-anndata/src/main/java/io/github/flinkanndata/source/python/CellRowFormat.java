package io.github.flinkanndata.source.python;

import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.AnnDataSource;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.types.Row;

/**
 * One Flink {@link Row} per cell: the form PyFlink converts to Python objects (the {@code
 * flink_anndata} package uses it), also usable from Java wherever a {@link RowTypeInfo} is
 * wanted. The fields are described by {@link CellRowSchema}: metadata, one float array (dense) or
 * {@code Row(indices, values, size)} (sparse) per matrix, obsm arrays and obs values.
 *
 * <pre>{@code
 * AnnDataSource<CellRecord> cells = AnnDataSource.builder("a.h5ad").obsKeys("cell_type", "donor")
 *         .encodeLabels(List.of("cell_type")).build();
 * AnnDataSource<Row> rows = CellRowFormat.rows(cells, Map.of("donor", ObsFieldType.STRING));
 * }</pre>
 */
@PublicEvolving
public final class CellRowFormat implements CellOutputFormat<Row> {
    private static final long serialVersionUID = 1L;

    private final CellRowSchema schema;
    private final CellRowMapper mapper;

    private CellRowFormat(CellRowSchema schema) {
        this.schema = schema;
        this.mapper = new CellRowMapper(schema);
    }

    /**
     * {@code source} emitting rows, with the declared types of raw obs keys (STRING when not
     * declared). Same enumerator, splits and checkpoints: a savepoint of one restores the other.
     *
     * @throws IllegalArgumentException if a type does not fit its key (see {@link CellRowSchema#of})
     */
    public static AnnDataSource<Row> rows(AnnDataSource<?> source, Map<String, ObsFieldType> obsTypes) {
        return rows(source, obsTypes, Map.of());
    }

    /**
     * As {@link #rows(AnnDataSource, Map)}, with the number of dimensions of the obsm entries
     * that have more than two (their rows become nested arrays; the builder opens no store, so
     * they are declared).
     */
    public static AnnDataSource<Row> rows(AnnDataSource<?> source, Map<String, ObsFieldType> obsTypes,
            Map<String, Integer> obsmNdims) {
        return source.withFormat(new CellRowFormat(CellRowSchema.of(source.settings(), obsTypes, obsmNdims)));
    }

    /**
     * As {@link #rows(AnnDataSource, Map, Map)}, with the obs types spelled in lower case ({@code
     * "string"}, {@code "long"}, {@code "double"}, {@code "boolean"}, {@code "int"}): the form
     * Python passes.
     */
    public static AnnDataSource<Row> rowsSpelled(AnnDataSource<?> source, Map<String, String> obsTypes,
            Map<String, Integer> obsmNdims) {
        Map<String, ObsFieldType> types = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : obsTypes.entrySet()) {
            types.put(e.getKey(), ObsFieldType.parse(e.getValue(), e.getKey()));
        }
        return rows(source, types, obsmNdims);
    }

    /** As {@link #rowsSpelled(AnnDataSource, Map, Map)} without N-D obsm entries. */
    public static AnnDataSource<Row> rowsSpelled(AnnDataSource<?> source, Map<String, String> obsTypes) {
        return rowsSpelled(source, obsTypes, Map.of());
    }

    /** The field names of the rows, in order. */
    public List<String> fieldNames() {
        return schema.fieldNames();
    }

    @Override
    public RowTypeInfo producedType() {
        return schema.typeInfo();
    }

    @Override
    public void convert(Context context, int epoch, List<Sample> samples, Collector<Row> out) {
        for (Sample s : samples) {
            out.collect(mapper.map(new CellRecord(epoch, s)), 1);
        }
    }

    @Override
    public String toString() {
        return "rows" + schema;
    }
}
