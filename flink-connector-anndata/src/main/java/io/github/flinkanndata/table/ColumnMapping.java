package io.github.flinkanndata.table;

import static io.github.flinkanndata.table.AnnDataTableOptions.ENCODE_LABELS;
import static io.github.flinkanndata.table.AnnDataTableOptions.LAYERS_KEYS;
import static io.github.flinkanndata.table.AnnDataTableOptions.OBSM_KEYS;
import static io.github.flinkanndata.table.AnnDataTableOptions.OBS_KEYS;
import static io.github.flinkanndata.table.AnnDataTableOptions.OUTPUT;

import io.github.flinkanndata.source.config.OutputForm;
import io.github.flinkanndata.source.output.CellFieldMapper.Kind;
import io.github.flinkanndata.table.MappedColumn.ObsType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * Which part of a sample each physical column of an anndata table shows, with the declared types
 * checked against the options.
 *
 * <p>A column is, by name, in this order:
 *
 * <ol>
 *   <li>{@code store_idx} (INT), {@code global_idx} (BIGINT) or {@code epoch} (INT): metadata;
 *       these names are reserved;
 *   <li>the matrix of a {@code scan.layers-keys} entry: named like the key, {@code raw.X} as
 *       {@code raw_X};
 *   <li>an obs key listed in {@code scan.obs-keys};
 *   <li>{@code obsm_<k>}: the obsm entry {@code k} (which {@code scan.obsm-keys}, when given,
 *       must list);
 *   <li>without {@code scan.layers-keys}: any ARRAY or ROW column is a matrix ({@code raw_X} is
 *       {@code raw.X});
 *   <li>without {@code scan.obs-keys}: any other column is an obs key.
 * </ol>
 *
 * A key option that is given must name existing columns and leaves no column unmapped. Matrix
 * columns are all {@code ARRAY<FLOAT>} (dense) or all {@code ROW<indices ARRAY<INT>, values
 * ARRAY<FLOAT>>} (sparse), as {@code scan.output} says or, without it, as they are declared. An
 * obs column is INT when its key is encoded — as {@code scan.encode-labels} says or, without it,
 * exactly when it is declared INT — and otherwise STRING, BIGINT, DOUBLE or BOOLEAN. Obs, matrix
 * and obsm columns must be nullable: missing labels and keys a store lacks are NULL. An obsm column
 * is {@code ARRAY<FLOAT>} for a 1-D or 2-D entry and {@code ARRAY<FLOAT>} nested once per row
 * dimension for an entry of more than two dimensions ({@code ARRAY<ARRAY<FLOAT>>} for {@code
 * (n_obs, d1, d2)}); the depth is checked against the rows as they are read.
 */
@Internal
final class ColumnMapping {
    static final String STORE_IDX = "store_idx";
    static final String GLOBAL_IDX = "global_idx";
    static final String EPOCH = "epoch";
    static final String OBSM_PREFIX = "obsm_";
    private static final String RAW_X = "raw.X";
    private static final String RAW_X_COLUMN = "raw_X";

    private final List<MappedColumn> columns;
    private final OutputForm output;

    private ColumnMapping(List<MappedColumn> columns, OutputForm output) {
        this.columns = List.copyOf(columns);
        this.output = output;
    }

    /**
     * Maps every physical column of a table.
     *
     * @throws ValidationException naming the column or option at fault
     */
    static ColumnMapping resolve(RowType physical, ScanOptions options) {
        List<String> names = physical.getFieldNames();
        Map<String, String> layerColumns = layerColumns(options.layersKeys);
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            slots.add(classify(names.get(i), physical.getTypeAt(i), layerColumns, options));
        }
        checkListed(names, slots, layerColumns, options);

        OutputForm output = outputForm(physical, slots, options.output);
        List<String> obsColumns = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).kind() == Kind.OBS) {
                obsColumns.add(names.get(i));
            }
        }
        Set<String> encoded = options.encodedKeys(obsColumns);
        List<MappedColumn> out = new ArrayList<>();
        List<String> encodedNames = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            String n = names.get(i);
            LogicalType t = physical.getTypeAt(i);
            MappedColumn c = typed(n, t, slots.get(i).kind(), slots.get(i).key(), output, encoded, options);
            if (c.obsType() == ObsType.CODE) {
                encodedNames.add(n);
            }
            out.add(c);
        }
        options.checkUnknownLabelKeys(Set.copyOf(encodedNames));
        return new ColumnMapping(out, output);
    }

    /** A column's kind and key, before its type is checked. */
    private record Slot(Kind kind, @Nullable String key) {}

    private static Slot classify(String n, LogicalType t, @Nullable Map<String, String> layerColumns,
            ScanOptions options) {
        if (isReserved(n)) {
            return new Slot(n.equals(STORE_IDX) ? Kind.STORE_INDEX : n.equals(GLOBAL_IDX) ? Kind.GLOBAL_INDEX
                    : Kind.EPOCH, null);
        } else if (layerColumns != null && layerColumns.containsKey(n)) {
            return new Slot(Kind.MATRIX, layerColumns.get(n));
        } else if (options.obsKeys != null && options.obsKeys.contains(n)) {
            return new Slot(Kind.OBS, n);
        } else if (n.startsWith(OBSM_PREFIX)) {
            String k = n.substring(OBSM_PREFIX.length());
            if (options.obsmKeys != null && !options.obsmKeys.contains(k)) {
                throw column(n, "is named like the obsm entry '" + k + "', but '" + OBSM_KEYS.key()
                        + "' does not list it " + options.obsmKeys);
            }
            return new Slot(Kind.OBSM, k);
        } else if (options.layersKeys == null && ColumnTypes.isMatrixLike(t)) {
            return new Slot(Kind.MATRIX, n.equals(RAW_X_COLUMN) ? RAW_X : n);
        } else if (options.obsKeys == null) {
            return new Slot(Kind.OBS, n);
        }
        throw column(n, "is neither a metadata column, a matrix of '" + LAYERS_KEYS.key() + "' "
                + (options.layersKeys == null ? "(ARRAY or ROW typed)" : options.layersKeys)
                + ", an obsm_<key> column, nor an obs key of '" + OBS_KEYS.key() + "' " + options.obsKeys);
    }

    /** Column name → layers key, or null without {@code scan.layers-keys}. */
    @Nullable
    private static Map<String, String> layerColumns(@Nullable List<String> layersKeys) {
        if (layersKeys == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : layersKeys) {
            String c = columnName(k);
            if (isReserved(c)) {
                throw ScanOptions.invalid(LAYERS_KEYS, "'" + k + "' would be the reserved column '" + c + "'");
            }
            String previous = out.put(c, k);
            if (previous != null) {
                throw ScanOptions.invalid(LAYERS_KEYS, "'" + previous + "' and '" + k + "' both map to column '"
                        + c + "'");
            }
        }
        return out;
    }

    /** Every key of a given key option has its column, of the kind the option gives it. */
    private static void checkListed(List<String> names, List<Slot> slots,
            @Nullable Map<String, String> layerColumns, ScanOptions options) {
        if (layerColumns != null) {
            for (Map.Entry<String, String> e : layerColumns.entrySet()) {
                int i = names.indexOf(e.getKey());
                if (i < 0 || slots.get(i).kind() != Kind.MATRIX) {
                    throw ScanOptions.invalid(LAYERS_KEYS, "'" + e.getValue() + "' has no column '" + e.getKey()
                            + "' in the table");
                }
            }
        }
        for (String k : options.obsKeys == null ? List.<String>of() : options.obsKeys) {
            int i = names.indexOf(k);
            if (isReserved(k)) {
                throw ScanOptions.invalid(OBS_KEYS, "'" + k + "' is a reserved column name");
            }
            if (i < 0 || slots.get(i).kind() != Kind.OBS) {
                throw ScanOptions.invalid(OBS_KEYS, "'" + k + "' has no obs column in the table"
                        + (i < 0 ? "" : " (the column is the matrix of '" + LAYERS_KEYS.key() + "')"));
            }
        }
        for (String k : options.obsmKeys == null ? List.<String>of() : options.obsmKeys) {
            int i = names.indexOf(OBSM_PREFIX + k);
            if (i < 0 || slots.get(i).kind() != Kind.OBSM) {
                throw ScanOptions.invalid(OBSM_KEYS, "'" + k + "' has no column '" + OBSM_PREFIX + k + "' in the table");
            }
        }
    }

    private static OutputForm outputForm(RowType physical, List<Slot> slots, @Nullable OutputForm given) {
        if (given != null) {
            return given;
        }
        String dense = null;
        String sparse = null;
        for (int i = 0; i < slots.size(); i++) {
            LogicalType t = physical.getTypeAt(i);
            boolean matrix = slots.get(i).kind() == Kind.MATRIX;
            if (matrix && ColumnTypes.isDense(t)) {
                dense = dense == null ? physical.getFieldNames().get(i) : dense;
            } else if (matrix && ColumnTypes.isSparse(t)) {
                sparse = sparse == null ? physical.getFieldNames().get(i) : sparse;
            }
        }
        if (dense != null && sparse != null) {
            throw new ValidationException("Matrix columns of an anndata table are all dense (" + ColumnTypes.DENSE
                    + ") or all sparse (" + ColumnTypes.SPARSE + "), but '" + dense + "' is dense and '" + sparse
                    + "' is sparse.");
        }
        // a table without matrix columns reads none: the form does not matter
        return dense != null ? OutputForm.DENSE : OutputForm.SPARSE;
    }

    private static MappedColumn typed(String n, LogicalType t, Kind kind, @Nullable String key, OutputForm output,
            @Nullable Set<String> encoded, ScanOptions options) {
        switch (kind) {
            case STORE_INDEX:
            case EPOCH:
                expect(n, t, t.is(LogicalTypeRoot.INTEGER), "INT");
                return MappedColumn.metadata(n, kind);
            case GLOBAL_INDEX:
                expect(n, t, t.is(LogicalTypeRoot.BIGINT), "BIGINT");
                return MappedColumn.metadata(n, kind);
            case OBSM:
                // the depth must match the entry's rows, which only the stores know: RowDataFormat
                // checks it on every row
                int depth = ColumnTypes.floatArrayDepth(t);
                expect(n, t, depth > 0, ColumnTypes.DENSE + " (the obsm row, cast to FLOAT), or "
                        + ColumnTypes.nestedDense(2) + " and deeper for an entry of more than two dimensions");
                nullable(n, t, "a store lacks the obsm entry");
                return MappedColumn.obsm(n, key, depth);
            case MATRIX:
                // a derived form already agrees with every matrix column that has one of the forms
                boolean sparse = output == OutputForm.SPARSE;
                if (options.output == null && !ColumnTypes.isDense(t) && !ColumnTypes.isSparse(t)) {
                    throw column(n, "has type " + t.asSummaryString() + ", but the matrix '" + key + "' needs "
                            + ColumnTypes.DENSE + " (dense) or " + ColumnTypes.SPARSE + " (sparse)");
                }
                expect(n, t, sparse ? ColumnTypes.isSparse(t) : ColumnTypes.isDense(t),
                        (sparse ? ColumnTypes.SPARSE : ColumnTypes.DENSE) + " (matrix '" + key + "', '" + OUTPUT.key()
                                + "' = '" + output.name().toLowerCase(Locale.ROOT) + "')");
                nullable(n, t, "a store lacks the matrix");
                return MappedColumn.matrix(n, key, sparse);
            default:
                return obsColumn(n, t, encoded, options);
        }
    }

    private static MappedColumn obsColumn(String n, LogicalType t, @Nullable Set<String> encoded,
            ScanOptions options) {
        ObsType declared = ColumnTypes.obsType(t);
        boolean isEncoded = encoded != null ? encoded.contains(n) : declared == ObsType.CODE;
        if (isEncoded) {
            expect(n, t, declared == ObsType.CODE, "INT (obs key '" + n + "' is encoded by '" + ENCODE_LABELS.key()
                    + "' = '" + options.encodeLabelsSpelled() + "')");
        } else if (declared == ObsType.CODE) {
            throw column(n, "has type INT, but obs key '" + n + "' is not encoded ('" + ENCODE_LABELS.key() + "' = '"
                    + options.encodeLabelsSpelled() + "'): declare STRING, BIGINT, DOUBLE or BOOLEAN for the raw label");
        } else if (declared == null) {
            String hint = ColumnTypes.isMatrixLike(t) ? "; if it is a matrix, list it in '" + LAYERS_KEYS.key() + "'" : "";
            throw column(n, "is the obs key '" + n + "' and has type " + t.asSummaryString() + ", but an obs column "
                    + "needs INT (the label's code) or STRING, BIGINT, DOUBLE or BOOLEAN (the raw label)" + hint);
        }
        nullable(n, t, "a label is missing or a store lacks the key");
        return MappedColumn.obs(n, declared);
    }

    private static void expect(String n, LogicalType t, boolean ok, String expected) {
        if (!ok) {
            throw column(n, "has type " + t.asSummaryString() + ", but needs " + expected);
        }
    }

    private static void nullable(String n, LogicalType t, String when) {
        if (!t.isNullable()) {
            throw column(n, "is declared NOT NULL, but it is NULL where " + when + ": declare it nullable");
        }
    }

    private static ValidationException column(String n, String problem) {
        return new ValidationException("Column '" + n + "' of the anndata table " + problem + ".");
    }

    private static boolean isReserved(String name) {
        return name.equals(STORE_IDX) || name.equals(GLOBAL_IDX) || name.equals(EPOCH);
    }

    /** The column of a layers key: the key itself, {@code raw_X} for {@code raw.X}. */
    static String columnName(String layersKey) {
        return layersKey.equals(RAW_X) ? RAW_X_COLUMN : layersKey;
    }

    /** The mapping of the given columns, in that order (a projection). */
    ColumnMapping select(int[] fields) {
        List<MappedColumn> out = new ArrayList<>(fields.length);
        for (int f : fields) {
            out.add(columns.get(f));
        }
        return new ColumnMapping(out, output);
    }

    List<MappedColumn> columns() {
        return columns;
    }

    OutputForm output() {
        return output;
    }

    /** The collection keys of the columns of one kind, in column order. */
    List<String> keys(Kind kind) {
        List<String> out = new ArrayList<>();
        for (MappedColumn c : columns) {
            if (c.kind() == kind) {
                out.add(c.key());
            }
        }
        return out;
    }

    /** The encoded obs keys (INT columns), in column order. */
    List<String> encodedKeys() {
        List<String> out = new ArrayList<>();
        for (MappedColumn c : columns) {
            if (c.obsType() == ObsType.CODE) {
                out.add(c.key());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "ColumnMapping" + columns + ", output=" + output;
    }
}
