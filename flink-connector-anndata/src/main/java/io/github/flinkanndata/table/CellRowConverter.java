package io.github.flinkanndata.table;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.record.FloatArrays;
import io.github.flinkanndata.source.record.ObsLabels;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.api.TableException;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;

/**
 * Turns a {@link CellRecord} into the table's row ({@link RowData} in Flink's internal
 * representation): one field per selected column, in column order. Matrix and obsm values are cast
 * to FLOAT (a row of an obsm entry of more than two dimensions as nested arrays of its shape); a
 * missing label, a key the sample's store lacks and a matrix it lacks are NULL.
 *
 * <p>Stateless and cheap: arrays are wrapped, not copied, when the values already are {@code
 * float}s (records are immutable by convention, and so are the rows).
 */
@Internal
final class CellRowConverter implements MapFunction<CellRecord, RowData> {
    private static final long serialVersionUID = 1L;

    private final MappedColumn[] columns;
    private final List<String> paths; // to name the store in errors

    CellRowConverter(List<MappedColumn> columns, List<String> paths) {
        this.columns = columns.toArray(new MappedColumn[0]);
        this.paths = List.copyOf(paths);
    }

    @Override
    public RowData map(CellRecord record) {
        GenericRowData row = new GenericRowData(columns.length);
        for (int i = 0; i < columns.length; i++) {
            row.setField(i, field(columns[i], record));
        }
        return row;
    }

    @Nullable
    private Object field(MappedColumn c, CellRecord r) {
        switch (c.kind()) {
            case STORE_INDEX:
                return r.storeIndex();
            case GLOBAL_INDEX:
                return r.globalIndex();
            case EPOCH:
                return r.epoch();
            case MATRIX:
                MatrixRow m = r.matrix(c.key());
                return m == null ? null : c.sparse() ? sparse(m) : new GenericArrayData(floats(m.dense()));
            case OBSM:
                MatrixRow o = r.sample().obsm(c.key());
                return o == null ? null : obsm(c, o, r);
            default:
                return obs(c, r);
        }
    }

    /**
     * An obsm row as {@code ARRAY<FLOAT>}, or as nested arrays of its shape for a row of an N-D
     * entry; the column's declared depth must be the row's number of dimensions.
     */
    private GenericArrayData obsm(MappedColumn c, MatrixRow o, CellRecord r) {
        int ndim = o.ndim();
        if (ndim != c.depth()) {
            throw new TableException("Column '" + c.name() + "' of the anndata table is declared "
                    + ColumnTypes.nestedDense(c.depth()) + ", but the obsm entry '" + c.key() + "' of store "
                    + paths.get(r.storeIndex()) + " has rows of shape " + java.util.Arrays.toString(o.shape())
                    + (ndim == 1 ? "" : " (an entry of " + (ndim + 1) + " dimensions)") + ": declare the column "
                    + ColumnTypes.nestedDense(ndim) + ".");
        }
        float[] flat = floats(o.dense());
        return ndim == 1 ? new GenericArrayData(flat) : nested(flat, o.shape(), 0, new int[1]);
    }

    /** The values from {@code pos[0]} on as nested arrays of {@code shape[dim:]}. */
    private static GenericArrayData nested(float[] flat, int[] shape, int dim, int[] pos) {
        int n = shape[dim];
        if (dim == shape.length - 1) {
            float[] leaf = java.util.Arrays.copyOfRange(flat, pos[0], pos[0] + n);
            pos[0] += n;
            return new GenericArrayData(leaf);
        }
        Object[] parts = new Object[n];
        for (int i = 0; i < n; i++) {
            parts[i] = nested(flat, shape, dim + 1, pos);
        }
        return new GenericArrayData(parts);
    }

    private static RowData sparse(MatrixRow m) {
        return GenericRowData.of(new GenericArrayData(m.indices()), new GenericArrayData(floats(m.values())));
    }

    @Nullable
    private Object obs(MappedColumn c, CellRecord r) {
        Object v = r.obs(c.key());
        if (v == null || Missing.isMissing(v)) {
            return null;
        }
        Object fitted = ObsLabels.fit(v, javaType(c.obsType()));
        if (fitted != null) {
            return fitted instanceof String ? StringData.fromString((String) fitted) : fitted;
        }
        throw new TableException("Column '" + c.name() + "' of the anndata table is declared " + sqlType(c.obsType())
                + ", but store " + path(r.storeIndex()) + " holds the label '" + v + "' at row " + r.row()
                + ", a " + v.getClass().getSimpleName() + ": declare the column " + sqlType(v) + ".");
    }

    /** The store's path, or its index for a store that joined a growing collection after planning. */
    private String path(int storeIndex) {
        return storeIndex < paths.size() ? paths.get(storeIndex) : "#" + storeIndex + " (joined while running)";
    }

    private static Class<?> javaType(MappedColumn.ObsType t) {
        switch (t) {
            case CODE:
                return Integer.class;
            case STRING:
                return String.class;
            case BIGINT:
                return Long.class;
            case DOUBLE:
                return Double.class;
            default:
                return Boolean.class;
        }
    }

    private static String sqlType(MappedColumn.ObsType t) {
        return t == MappedColumn.ObsType.CODE ? "INT" : t.name();
    }

    private static String sqlType(Object label) {
        return label instanceof String ? "STRING" : label instanceof Long ? "BIGINT or DOUBLE"
                : label instanceof Double ? "DOUBLE" : label instanceof Boolean ? "BOOLEAN" : "INT";
    }

    /** The values of a primitive numeric array as floats (booleans as 0 and 1). */
    static float[] floats(Object values) {
        return FloatArrays.of(values);
    }
}
