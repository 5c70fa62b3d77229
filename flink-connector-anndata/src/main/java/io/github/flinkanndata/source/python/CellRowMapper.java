package io.github.flinkanndata.source.python;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.source.output.CellFieldMapper;
import io.github.flinkanndata.source.output.CellFieldMapper.Field;
import io.github.flinkanndata.source.record.CellRecord;
import java.util.Arrays;
import java.util.Locale;
import org.apache.flink.annotation.Internal;
import org.apache.flink.types.Row;

/**
 * Turns a {@link CellRecord} into a positional {@link Row} of a {@link CellRowSchema}: the values
 * of {@link CellFieldMapper} as they are, which are the forms PyFlink converts; a store that does
 * not fit a declaration fails naming the Python declaration that would fit.
 */
@Internal
final class CellRowMapper implements CellFieldMapper.Mismatch {
    private static final long serialVersionUID = 1L;

    private final CellFieldMapper fields;

    CellRowMapper(CellRowSchema schema) {
        this.fields = new CellFieldMapper(schema.fields(), schema.paths(), this);
    }

    Row map(CellRecord record) {
        Row row = new Row(fields.arity());
        for (int i = 0; i < fields.arity(); i++) {
            row.setField(i, fields.value(i, record));
        }
        return row;
    }

    @Override
    public RuntimeException depth(Field f, MatrixRow o, String store) {
        int ndim = o.ndim();
        return new IllegalStateException("obsm key '" + f.key() + "' is declared with " + (f.depth() + 1)
                + " dimensions" + (f.depth() == 1 ? " (the default: 1 or 2)" : "") + ", but store " + store
                + " holds an entry of " + (ndim + 1) + " (rows of shape " + Arrays.toString(o.shape())
                + "): declare its obsm ndim " + (ndim + 1));
    }

    @Override
    public RuntimeException label(Field f, Object v, CellRecord r, String store) {
        return new IllegalStateException("obs key '" + f.key() + "' is declared " + declared(f.labelType())
                + ", but store " + store + " holds the label '" + v + "' at row " + r.row() + ", a "
                + v.getClass().getSimpleName() + ": declare its obs type " + fitting(v));
    }

    /** How Python spells the obs type of a label type. */
    private static String declared(Class<?> labelType) {
        for (ObsFieldType t : ObsFieldType.values()) {
            if (t.javaType() == labelType) {
                return t.name().toLowerCase(Locale.ROOT);
            }
        }
        throw new IllegalArgumentException("no obs type holds " + labelType);
    }

    private static String fitting(Object label) {
        return label instanceof String ? "string" : label instanceof Long ? "long (or double)"
                : label instanceof Double ? "double" : label instanceof Boolean ? "boolean" : "int (encode it)";
    }
}
