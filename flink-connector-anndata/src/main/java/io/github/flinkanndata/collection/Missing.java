package io.github.flinkanndata.collection;

/**
 * The "no value" marker of the collection: a missing obs label (categorical code -1, a masked
 * nullable entry, a float NaN), a filter value that selects missing labels, and the value of an
 * encoded key whose label is missing.
 *
 * <p>lamindb returns a float NaN for all of these. NaN cannot serve in Java: it is a real {@code
 * Double}, and it would compare unequal to itself in maps. {@link #MISSING} differs from every
 * label and from the integer {@code -1} (the code of the unknown label), so a missing label can
 * never be mistaken for an encoded one. An enum constant, so it stays a singleton through Java
 * serialization.
 */
public enum Missing {
    MISSING;

    /** True for {@link #MISSING}. */
    public static boolean isMissing(Object value) {
        return value == MISSING;
    }

    /** How lamindb renders a missing label in weight class names ({@code str(nan)}). */
    @Override
    public String toString() {
        return "nan";
    }
}
