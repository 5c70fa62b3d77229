package io.github.flinkanndata.source.python;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.source.python.CellRowSchema.Field;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.record.FloatArrays;
import io.github.flinkanndata.source.record.ObsLabels;
import java.io.Serializable;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.types.Row;

/**
 * Turns a {@link CellRecord} into a positional {@link Row} of a {@link CellRowSchema}. Matrix and
 * obsm values become {@code float[]} (a row of an obsm entry of more than two dimensions nested
 * {@code float} arrays of its shape); a missing label, an obs key the sample's store lacks and a
 * matrix it lacks become null.
 *
 * <p>Stateless; arrays are wrapped, not copied, when they already hold floats.
 */
@Internal
final class CellRowMapper implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Field[] fields;
    private final CellRowSchema schema;

    CellRowMapper(CellRowSchema schema) {
        this.schema = schema;
        List<Field> f = schema.fields();
        this.fields = f.toArray(new Field[0]);
    }

    Row map(CellRecord record) {
        Row row = new Row(fields.length);
        for (int i = 0; i < fields.length; i++) {
            row.setField(i, field(fields[i], record));
        }
        return row;
    }

    @Nullable
    private Object field(Field f, CellRecord r) {
        switch (f.kind()) {
            case STORE_INDEX:
                return r.storeIndex();
            case GLOBAL_INDEX:
                return r.globalIndex();
            case EPOCH:
                return r.epoch();
            case MATRIX:
                MatrixRow m = r.matrix(f.key());
                return m == null ? null : schema.sparse() ? sparse(m) : FloatArrays.of(m.dense());
            case OBSM:
                MatrixRow o = r.sample().obsm(f.key());
                return o == null ? null : obsm(f, o, r);
            default:
                return obs(f, r);
        }
    }

    /** An obsm row: {@code float[]}, or nested float arrays of its shape for an N-D entry. */
    private Object obsm(Field f, MatrixRow o, CellRecord r) {
        int ndim = o.ndim();
        if (ndim != f.depth()) {
            // the number of dimensions was declared before any store was opened: name the right one
            throw new IllegalStateException("obsm key '" + f.key() + "' is declared with " + (f.depth() + 1)
                    + " dimensions" + (f.depth() == 1 ? " (the default: 1 or 2)" : "") + ", but store "
                    + schema.path(r.storeIndex()) + " holds an entry of " + (ndim + 1) + " (rows of shape "
                    + java.util.Arrays.toString(o.shape()) + "): declare its obsm ndim " + (ndim + 1));
        }
        float[] flat = FloatArrays.of(o.dense());
        return ndim == 1 ? flat : MatrixRow.nest(flat, o.shape());
    }

    private static Row sparse(MatrixRow m) {
        return Row.of(m.indices(), FloatArrays.of(m.values()), m.width());
    }

    @Nullable
    private Object obs(Field f, CellRecord r) {
        Object v = r.obs(f.key());
        if (v == null || Missing.isMissing(v)) {
            return null;
        }
        Object fitted = ObsLabels.fit(v, javaType(f.obsType()));
        if (fitted != null) {
            return fitted;
        }
        // the type was declared before any store was opened: say which declaration fits instead
        throw new IllegalStateException("obs key '" + f.key() + "' is declared " + f.obsType().name().toLowerCase(
                java.util.Locale.ROOT) + ", but store " + schema.path(r.storeIndex()) + " holds the label '" + v
                + "' at row " + r.row() + ", a " + v.getClass().getSimpleName() + ": declare its obs type "
                + fitting(v));
    }

    private static Class<?> javaType(ObsFieldType t) {
        switch (t) {
            case INT:
                return Integer.class;
            case STRING:
                return String.class;
            case LONG:
                return Long.class;
            case DOUBLE:
                return Double.class;
            default:
                return Boolean.class;
        }
    }

    private static String fitting(Object label) {
        return label instanceof String ? "string" : label instanceof Long ? "long (or double)"
                : label instanceof Double ? "double" : label instanceof Boolean ? "boolean" : "int (encode it)";
    }
}
