package io.github.flinkanndata.collection;

import java.io.Serializable;
import javax.annotation.Nullable;

/**
 * A {@code (rows, cols)} pair as lamindb reports it for {@code shape} and {@code
 * original_shapes}; {@code cols} is null where Python has {@code None} (no join, or var names not
 * read yet). Immutable.
 *
 * @param cols the number of columns, or null when it is undefined (Python {@code None})
 */
public record Shape(long rows, @Nullable Long cols) implements Serializable {

    /** Python's tuple rendering: {@code (4, 3)} or {@code (5, None)}. */
    @Override
    public String toString() {
        return "(" + rows + ", " + (cols == null ? "None" : cols) + ")";
    }
}
