package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.Column;
import java.util.List;
import javax.annotation.Nullable;

/**
 * The per-row value of one obs key in one store (docs/semantics.md §8.5): the encoder's code for an
 * encoded key, the label otherwise, {@link Missing#MISSING} for a missing label either way.
 * Categorical columns resolve each category once, so a row costs an array lookup. Built from a
 * whole decoded column; immutable and thread-safe.
 */
final class ObsLookup {
    @Nullable private final int[] codes;
    @Nullable private final Object[] perCategory;
    private final Column column;
    @Nullable private final LabelEncoder encoder;

    ObsLookup(Column column, @Nullable LabelEncoder encoder) {
        this.column = column;
        this.encoder = encoder;
        if (column.isCategorical()) {
            List<Object> cats = column.categories();
            this.codes = column.codes();
            this.perCategory = new Object[cats.size()];
            for (int c = 0; c < cats.size(); c++) {
                perCategory[c] = value(cats.get(c));
            }
        } else {
            this.codes = null;
            this.perCategory = null;
        }
    }

    /** The value of local row {@code row}. */
    Object value(int row) {
        if (codes != null) {
            int c = codes[row];
            // code -1 is MISSING in every layout, also where lamindb's per-sample path wraps (D3)
            return c < 0 ? Missing.MISSING : perCategory[c];
        }
        return value(column.label(row));
    }

    private Object value(@Nullable Object label) {
        if (label == null) {
            return Missing.MISSING;
        }
        if (encoder == null) {
            return label;
        }
        Integer code = encoder.code(label);
        if (code == null) {
            // encoders cover every label of every store, so only a changed store gets here
            throw new IllegalStateException("label '" + label + "' of obs key '" + column.name()
                    + "' is not in its encoder; did the store change after planning?");
        }
        return code;
    }
}
