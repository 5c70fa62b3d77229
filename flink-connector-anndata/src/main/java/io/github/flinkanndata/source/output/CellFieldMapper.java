package io.github.flinkanndata.source.output;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.source.record.CellRecord;
import io.github.flinkanndata.source.record.FloatArrays;
import io.github.flinkanndata.source.record.ObsLabels;
import java.io.Serializable;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.types.Row;

/**
 * The per-cell mapping both row forms share (PyFlink's {@link Row} and the SQL table's {@code
 * RowData}): which part of a {@link CellRecord} each field shows and in which Java form. Matrix
 * and obsm values become {@code float[]} (a row of an obsm entry of more than two dimensions
 * nested {@code float} arrays of its shape), a sparse matrix row {@code Row(indices int[], values
 * float[], size int)}, an obs label the Java type of its field; a missing label, an obs key the
 * sample's store lacks and a matrix it lacks become null. A row form converts these values where
 * its representation differs, and words the two mismatches only the stores reveal ({@link
 * Mismatch}) in its own types.
 *
 * <p>Stateless; arrays are wrapped, not copied, when they already hold floats.
 */
@Internal
public final class CellFieldMapper implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What a field holds. */
    public enum Kind {
        /** The store's position in the path list (INT). */
        STORE_INDEX,
        /** The sample's index in the collection (lamindb's index; BIGINT). */
        GLOBAL_INDEX,
        /** The epoch the sample was drawn in (INT). */
        EPOCH,
        /** A matrix row (X, raw.X, a layer), cast to float. */
        MATRIX,
        /** An obsm row, cast to float (nested arrays for an entry of more than two dimensions). */
        OBSM,
        /** An obs label. */
        OBS
    }

    /**
     * One field of the row.
     *
     * @param key the layers, obsm or obs key; null for the metadata fields
     * @param labelType of an obs field: the Java type its labels are fitted to ({@code Integer}
     *     for a code); null for every other kind
     * @param sparse of a matrix field: the row is {@code Row(indices, values, size)}, not {@code
     *     float[]}
     * @param depth of an obsm field: the number of dimensions of its rows (1 for entries of one or
     *     two dimensions, {@code k} for {@code (n_obs, d1, ..., dk)}); 0 for every other kind
     */
    public record Field(String name, Kind kind, @Nullable String key, @Nullable Class<?> labelType, boolean sparse,
            int depth) implements Serializable {}

    /** How a row form reports a store whose data does not fit a field declared before it was opened. */
    public interface Mismatch extends Serializable {
        /** An obsm entry whose rows have {@code row.ndim()} dimensions, not the field's depth. */
        RuntimeException depth(Field field, MatrixRow row, String store);

        /** An obs label that does not fit the field's label type. */
        RuntimeException label(Field field, Object label, CellRecord record, String store);
    }

    private final Field[] fields;
    private final List<String> paths; // to name the store in errors
    private final Mismatch mismatch;

    public CellFieldMapper(List<Field> fields, List<String> paths, Mismatch mismatch) {
        this.fields = fields.toArray(new Field[0]);
        this.paths = List.copyOf(paths);
        this.mismatch = mismatch;
    }

    /** The number of fields. */
    public int arity() {
        return fields.length;
    }

    /** The value of field {@code i} of {@code r}, in the form of the class comment. */
    @Nullable
    public Object value(int i, CellRecord r) {
        Field f = fields[i];
        switch (f.kind()) {
            case STORE_INDEX:
                return r.storeIndex();
            case GLOBAL_INDEX:
                return r.globalIndex();
            case EPOCH:
                return r.epoch();
            case MATRIX:
                MatrixRow m = r.matrix(f.key());
                return m == null ? null : f.sparse() ? sparse(m) : FloatArrays.of(m.dense());
            case OBSM:
                MatrixRow o = r.sample().obsm(f.key());
                return o == null ? null : obsm(f, o, r);
            default:
                return obs(f, r);
        }
    }

    private Object obsm(Field f, MatrixRow o, CellRecord r) {
        if (o.ndim() != f.depth()) {
            // the depth was declared before any store was opened: the form names the right one
            throw mismatch.depth(f, o, path(r.storeIndex()));
        }
        float[] flat = FloatArrays.of(o.dense());
        return o.ndim() == 1 ? flat : MatrixRow.nest(flat, o.shape());
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
        Object fitted = ObsLabels.fit(v, f.labelType());
        if (fitted == null) {
            // the type was declared before any store was opened: the form says which one fits
            throw mismatch.label(f, v, r, path(r.storeIndex()));
        }
        return fitted;
    }

    /** The store's path, or its index for a store that joined a growing collection after planning. */
    private String path(int storeIndex) {
        return storeIndex < paths.size() ? paths.get(storeIndex) : "#" + storeIndex + " (joined while running)";
    }
}
