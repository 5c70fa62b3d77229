package io.github.flinkanndata.collection;

import java.util.Locale;
import javax.annotation.Nullable;

/**
 * How the variables (genes) of the stores are aligned (docs/semantics.md §6). lamindb spells {@link
 * #NONE} as {@code join=None}.
 */
public enum Join {
    /** Variables present in every store, in store 0's order; rows are gathered. */
    INNER,
    /** The union of all variables (sorted once a real union happened); absent genes are 0. */
    OUTER,
    /** No alignment at all: every row comes in its own store's order and width. */
    NONE;

    /** The lamindb spelling: {@code inner}, {@code outer}, or {@code null} for {@link #NONE}. */
    @Nullable
    public String pythonName() {
        return this == NONE ? null : name().toLowerCase(Locale.ROOT);
    }

    /** The spellings every surface accepts and lists, in this order. */
    public static final String SPELLINGS = "inner, outer or none";

    /**
     * Parses the lamindb parameter: {@code null} or {@code none} is {@link #NONE} ({@code null}
     * spelled out is accepted too, for lamindb's {@code join=None}); {@code inner} and {@code
     * outer} as in Python. Case matters, as it does in Python.
     *
     * @throws IllegalArgumentException for anything else (docs/semantics.md §2.1 step 1)
     */
    public static Join parse(@Nullable String value) {
        if (value == null || value.equals("none") || value.equals("null")) {
            return NONE;
        }
        if (value.equals("inner")) {
            return INNER;
        }
        if (value.equals("outer")) {
            return OUTER;
        }
        throw new IllegalArgumentException("join must be " + SPELLINGS + ", was '" + value + "'");
    }
}
