package io.github.flinkanndata.source.python;

import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The type of an obs field in a {@link CellRowFormat} row. An encoded key is always {@link
 * #INT} (its code); a raw label has the type its column holds, which the builder cannot know
 * without opening the stores, so it is declared ({@link #STRING} unless said otherwise).
 */
@PublicEvolving
public enum ObsFieldType {
    /** The label's integer code (the key is encoded). */
    INT(Integer.class),
    /** A string or categorical-of-strings label. */
    STRING(String.class),
    /** An integer label (Python int). */
    LONG(Long.class),
    /** A float label; integer labels widen (a column stored as ints in one store, floats in another). */
    DOUBLE(Double.class),
    /** A boolean label. */
    BOOLEAN(Boolean.class);

    private final Class<?> javaType;

    ObsFieldType(Class<?> javaType) {
        this.javaType = javaType;
    }

    /** The Java type of the field's values. */
    Class<?> javaType() {
        return javaType;
    }

    /**
     * The type a lower- or upper-case name spells ({@code "string"}, {@code "long"}, ...).
     *
     * @throws IllegalArgumentException naming the accepted spellings
     */
    public static ObsFieldType parse(String name, String key) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("obs type of '" + key + "' must be one of int, string, long, double, "
                    + "boolean, was '" + name + "'", e);
        }
    }
}
