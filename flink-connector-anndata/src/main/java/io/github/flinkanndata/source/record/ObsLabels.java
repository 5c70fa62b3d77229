package io.github.flinkanndata.source.record;

import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Fits an obs label to the type a row field was declared with, before any store was opened (SQL
 * columns, PyFlink row fields). Shared by the table converter and the Python row mapper, which
 * differ only in how they wrap a string and word the error.
 */
@Internal
public final class ObsLabels {
    private ObsLabels() {}

    /**
     * The label as a value of {@code declared} ({@code Integer}, {@code String}, {@code Long},
     * {@code Double} or {@code Boolean}), or null when it does not fit. Integer labels widen to
     * {@code Double}: a column may be stored as integers in one store and floats in another.
     */
    @Nullable
    public static Object fit(Object label, Class<?> declared) {
        if (declared.isInstance(label)) {
            return label;
        }
        if (declared == Double.class && label instanceof Long) {
            return ((Long) label).doubleValue();
        }
        return null;
    }
}
