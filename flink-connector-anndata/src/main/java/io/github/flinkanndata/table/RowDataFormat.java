package io.github.flinkanndata.table;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Sample;
import io.github.flinkanndata.source.output.CellFieldMapper;
import io.github.flinkanndata.source.output.CellOutputFormat;
import io.github.flinkanndata.source.output.CellFieldMapper.Field;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.api.TableException;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.types.Row;

/**
 * One {@link RowData} per cell, for the SQL connector: one field per selected column, in column
 * order, holding the value {@link CellFieldMapper} gives in Flink's internal representation: float
 * arrays (nested for a row of an obsm entry of more than two dimensions) as {@code ARRAY<FLOAT>},
 * a sparse row as {@code ROW<indices, values>}, a string as {@link StringData}; a store that does
 * not fit a column's type fails naming the SQL type that would fit. Its type information comes
 * from the planner, so the table module needs no planner dependency.
 *
 * <p>Stateless and cheap: arrays are wrapped, not copied, when the values already are {@code
 * float}s (records are immutable by convention, and so are the rows).
 */
@Internal
final class RowDataFormat implements CellOutputFormat<RowData>, CellFieldMapper.Mismatch {
    private static final long serialVersionUID = 1L;

    private final CellFieldMapper fields;
    private final TypeInformation<RowData> type;

    RowDataFormat(List<MappedColumn> columns, List<String> paths, TypeInformation<RowData> type) {
        List<Field> f = new ArrayList<>();
        columns.forEach(c -> f.add(c.field()));
        this.fields = new CellFieldMapper(f, paths, this);
        this.type = type;
    }

    @Override
    public TypeInformation<RowData> producedType() {
        return type;
    }

    @Override
    public void convert(Context context, int epoch, List<Sample> samples, Collector<RowData> out) {
        for (Sample s : samples) {
            out.collect(map(new CellRecord(epoch, s)), 1);
        }
    }

    RowData map(CellRecord record) {
        GenericRowData row = new GenericRowData(fields.arity());
        for (int i = 0; i < fields.arity(); i++) {
            row.setField(i, internal(fields.value(i, record)));
        }
        return row;
    }

    /** A value of the mapping in Flink's internal representation. */
    @Nullable
    private static Object internal(@Nullable Object v) {
        if (v instanceof float[]) {
            return new GenericArrayData((float[]) v);
        } else if (v instanceof Object[]) { // nested float arrays of an N-D obsm row
            Object[] nested = (Object[]) v;
            Object[] parts = new Object[nested.length];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = internal(nested[i]);
            }
            return new GenericArrayData(parts);
        } else if (v instanceof Row) { // a sparse row; the column has no size field
            Row sparse = (Row) v;
            return GenericRowData.of(new GenericArrayData((int[]) sparse.getField(0)),
                    new GenericArrayData((float[]) sparse.getField(1)));
        }
        return v instanceof String ? StringData.fromString((String) v) : v;
    }

    @Override
    public RuntimeException depth(Field c, MatrixRow o, String store) {
        int ndim = o.ndim();
        return new TableException("Column '" + c.name() + "' of the anndata table is declared "
                + ColumnTypes.nestedDense(c.depth()) + ", but the obsm entry '" + c.key() + "' of store " + store
                + " has rows of shape " + Arrays.toString(o.shape())
                + (ndim == 1 ? "" : " (an entry of " + (ndim + 1) + " dimensions)") + ": declare the column "
                + ColumnTypes.nestedDense(ndim) + ".");
    }

    @Override
    public RuntimeException label(Field c, Object v, CellRecord r, String store) {
        return new TableException("Column '" + c.name() + "' of the anndata table is declared "
                + sqlType(c.labelType()) + ", but store " + store + " holds the label '" + v + "' at row " + r.row()
                + ", a " + v.getClass().getSimpleName() + ": declare the column " + sqlType(v) + ".");
    }

    private static String sqlType(Class<?> labelType) {
        for (MappedColumn.ObsType t : MappedColumn.ObsType.values()) {
            if (t.javaType == labelType) {
                return t == MappedColumn.ObsType.CODE ? "INT" : t.name();
            }
        }
        throw new IllegalArgumentException("no SQL type holds " + labelType);
    }

    private static String sqlType(Object label) {
        return label instanceof String ? "STRING" : label instanceof Long ? "BIGINT or DOUBLE"
                : label instanceof Double ? "DOUBLE" : label instanceof Boolean ? "BOOLEAN" : "INT";
    }

    @Override
    public String toString() {
        return "rowdata(" + type + ")";
    }
}
