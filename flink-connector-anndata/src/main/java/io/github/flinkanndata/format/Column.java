package io.github.flinkanndata.format;

import io.github.flinkanndata.format.tree.DataType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.annotation.Nullable;

/**
 * A decoded obs or var column, whole. Per-row labels are {@code String}, {@code Long}, {@code
 * Double} or {@code Boolean}, and {@code null} stands for a missing value (categorical code -1, a
 * masked nullable entry, a float NaN).
 *
 * <p>Categorical columns keep their codes and declared categories (unused ones included), so that
 * consumers can map codes without materialising per-row labels. Immutable and thread-safe.
 */
public final class Column {
    private final String name;
    private final ColumnKind kind;
    private final DataType valueType;
    private final int length;
    private final boolean ordered;
    // CATEGORICAL
    @Nullable private final int[] codes;
    @Nullable private final List<Object> categories;
    // everything else: a primitive or String array, and an optional missing mask
    @Nullable private final Object values;
    @Nullable private final boolean[] mask;

    private Column(String name, ColumnKind kind, DataType valueType, int length, boolean ordered,
            @Nullable int[] codes, @Nullable List<Object> categories, @Nullable Object values,
            @Nullable boolean[] mask) {
        this.name = name;
        this.kind = kind;
        this.valueType = valueType;
        this.length = length;
        this.ordered = ordered;
        this.codes = codes;
        this.categories = categories;
        this.values = values;
        this.mask = mask;
    }

    /**
     * A categorical column. Codes must lie in {@code [-1, categories.size())}; the caller has
     * validated them (see {@link #checkCodes}).
     */
    static Column categorical(String name, int[] codes, List<Object> categories, DataType categoryType,
            boolean ordered) {
        return new Column(name, ColumnKind.CATEGORICAL, categoryType, codes.length, ordered, codes,
                Collections.unmodifiableList(new ArrayList<>(categories)), null, null);
    }

    static Column plain(String name, DataType type, Object values) {
        ColumnKind kind = type == DataType.STRING ? ColumnKind.STRING
                : type == DataType.BOOL ? ColumnKind.BOOLEAN : ColumnKind.NUMERIC;
        return new Column(name, kind, type, Values.length(values), false, null, null, values, null);
    }

    static Column nullable(String name, ColumnKind kind, DataType type, Object values, boolean[] mask) {
        return new Column(name, kind, type, Values.length(values), false, null, null, values, mask);
    }

    /** Returns the index of the first code outside {@code [-1, n)}, or -1 if all are valid. */
    static int checkCodes(int[] codes, int n) {
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] < -1 || codes[i] >= n) {
                return i;
            }
        }
        return -1;
    }

    public String name() {
        return name;
    }

    public ColumnKind kind() {
        return kind;
    }

    /** Type of the values (of the categories, for a categorical column). */
    public DataType valueType() {
        return valueType;
    }

    public int length() {
        return length;
    }

    public boolean isCategorical() {
        return kind == ColumnKind.CATEGORICAL;
    }

    public boolean ordered() {
        return ordered;
    }

    /** Categorical only: the code of each row, -1 for missing. */
    @Nullable
    public int[] codes() {
        return codes;
    }

    /** Categorical only: the declared categories, in stored order. */
    @Nullable
    public List<Object> categories() {
        return categories;
    }

    /** The label of one row, or null if it is missing. */
    @Nullable
    public Object label(int row) {
        if (codes != null) {
            int c = codes[row];
            return c < 0 ? null : categories.get(c);
        }
        if (mask != null && mask[row]) {
            return null;
        }
        return Values.label(values, valueType, row);
    }

    /** Every row's label, in row order (null where missing). */
    public List<Object> labels() {
        List<Object> out = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            out.add(label(i));
        }
        return out;
    }

    /** The dtype pandas reports for this column: {@code category}, {@code int64}, {@code Int64}, ... */
    public String pandasDtype() {
        switch (kind) {
            case CATEGORICAL:
                return "category";
            case STRING:
                return "object";
            case NULLABLE_BOOLEAN:
                return "boolean";
            case NULLABLE_STRING:
                return "string";
            case NULLABLE_INTEGER:
                String n = valueType.numpyName();
                return n.startsWith("u") ? "UInt" + n.substring(4) : "Int" + n.substring(3);
            default:
                return valueType.numpyName();
        }
    }

    @Override
    public String toString() {
        return "Column{" + name + ", " + kind + ", " + pandasDtype() + ", length " + length + "}";
    }
}
