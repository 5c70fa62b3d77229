package io.github.flinkanndata.collection;

import java.io.Serializable;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A {@code (rows, cols)} pair as lamindb reports it for {@code shape} and {@code
 * original_shapes}; {@code cols} is null where Python has {@code None} (no join, or var names not
 * read yet). Immutable.
 */
public final class Shape implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long rows;
    @Nullable private final Long cols;

    public Shape(long rows, @Nullable Long cols) {
        this.rows = rows;
        this.cols = cols;
    }

    public long rows() {
        return rows;
    }

    /** The number of columns, or null when it is undefined (Python {@code None}). */
    @Nullable
    public Long cols() {
        return cols;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && ((Shape) o).rows == rows && Objects.equals(((Shape) o).cols, cols);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(rows) * 31 + Objects.hashCode(cols);
    }

    /** Python's tuple rendering: {@code (4, 3)} or {@code (5, None)}. */
    @Override
    public String toString() {
        return "(" + rows + ", " + (cols == null ? "None" : cols) + ")";
    }
}
