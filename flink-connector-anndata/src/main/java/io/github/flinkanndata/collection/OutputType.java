package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.tree.DataType;
import java.util.Locale;

/**
 * The {@code dtype} every matrix output (X, layers, raw.X, obsm) is converted to (docs/semantics.md
 * §7.4). Names follow numpy. A conversion from float to an integer type truncates toward zero;
 * NaN, infinities and out-of-range values follow Java's narrowing rules (numpy leaves them
 * undefined).
 */
public enum OutputType {
    FLOAT32(DataType.FLOAT32),
    FLOAT64(DataType.FLOAT64),
    INT8(DataType.INT8),
    INT16(DataType.INT16),
    INT32(DataType.INT32),
    INT64(DataType.INT64);

    private final DataType dataType;

    OutputType(DataType dataType) {
        this.dataType = dataType;
    }

    /** The element type of the output arrays ({@code float[]} for FLOAT32, and so on). */
    public DataType dataType() {
        return dataType;
    }

    /** The numpy name: {@code float32}, {@code int64}, ... */
    public String numpyName() {
        return dataType.numpyName();
    }

    /**
     * Parses a numpy type name.
     *
     * @throws IllegalArgumentException naming the supported types for anything else
     */
    public static OutputType parse(String name) {
        for (OutputType t : values()) {
            if (t.numpyName().equals(name)) {
                return t;
            }
        }
        StringBuilder names = new StringBuilder();
        for (OutputType t : values()) {
            names.append(names.length() == 0 ? "" : ", ").append(t.numpyName());
        }
        throw new IllegalArgumentException(
                "dtype must be one of " + names + ", was '" + name + "'");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
