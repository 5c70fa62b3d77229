package io.github.flinkanndata.table;

import io.github.flinkanndata.table.MappedColumn.ObsType;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * The SQL types an anndata table accepts. Only top-level nullability matters (checked by {@link
 * ColumnMapping}); the element and field nullability of matrix types is free, because the source
 * never puts a null inside an array.
 */
final class ColumnTypes {
    static final String DENSE = "ARRAY<FLOAT>";
    static final String SPARSE = "ROW<indices ARRAY<INT>, `values` ARRAY<FLOAT>>";

    private ColumnTypes() {}

    /** {@code ARRAY<FLOAT>}: a dense matrix row or an obsm row. */
    static boolean isDense(LogicalType t) {
        return t.is(LogicalTypeRoot.ARRAY) && ((ArrayType) t).getElementType().is(LogicalTypeRoot.FLOAT);
    }

    /**
     * How deep {@code t} nests arrays of FLOAT: 1 for {@code ARRAY<FLOAT>}, 2 for {@code
     * ARRAY<ARRAY<FLOAT>>}, ...; 0 for any other type. An obsm column of depth {@code k} shows
     * rows of {@code k} dimensions: entries of shape {@code (n_obs, d1, ..., dk)} (1-D and 2-D
     * entries: depth 1).
     */
    static int floatArrayDepth(LogicalType t) {
        int depth = 0;
        while (t.is(LogicalTypeRoot.ARRAY)) {
            depth++;
            t = ((ArrayType) t).getElementType();
        }
        return depth > 0 && t.is(LogicalTypeRoot.FLOAT) ? depth : 0;
    }

    /** {@code ARRAY<FLOAT>} nested {@code depth} times: the type of an obsm row of that many dimensions. */
    static String nestedDense(int depth) {
        return "ARRAY<".repeat(depth) + "FLOAT" + ">".repeat(depth);
    }

    /** {@code ROW<indices ARRAY<INT>, values ARRAY<FLOAT>>}: a sparse matrix row. */
    static boolean isSparse(LogicalType t) {
        if (!t.is(LogicalTypeRoot.ROW)) {
            return false;
        }
        RowType row = (RowType) t;
        return row.getFieldNames().equals(List.of("indices", "values"))
                && row.getTypeAt(0).is(LogicalTypeRoot.ARRAY)
                && ((ArrayType) row.getTypeAt(0)).getElementType().is(LogicalTypeRoot.INTEGER)
                && isDense(row.getTypeAt(1));
    }

    /** An ARRAY or ROW type: what an unlisted column must have to be taken for a matrix. */
    static boolean isMatrixLike(LogicalType t) {
        return t.is(LogicalTypeRoot.ARRAY) || t.is(LogicalTypeRoot.ROW);
    }

    /** The obs type a column declares, or null if no obs value has that type. */
    @Nullable
    static ObsType obsType(LogicalType t) {
        switch (t.getTypeRoot()) {
            case INTEGER:
                return ObsType.CODE;
            case VARCHAR:
                return ObsType.STRING;
            case BIGINT:
                return ObsType.BIGINT;
            case DOUBLE:
                return ObsType.DOUBLE;
            case BOOLEAN:
                return ObsType.BOOLEAN;
            default:
                return null;
        }
    }
}
