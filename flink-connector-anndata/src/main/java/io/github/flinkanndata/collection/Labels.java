package io.github.flinkanndata.collection;

import java.math.BigDecimal;
import java.util.Comparator;
import javax.annotation.Nullable;

/**
 * Label equality and order with Python's value semantics (docs/semantics.md §1 and §8.4).
 *
 * <ul>
 *   <li>Strings are equal when their code points are; they order by code point, which differs
 *       from {@link String#compareTo} for characters above U+FFFF.
 *   <li>Numbers are equal by value across integer, float and boolean: {@code 3 == 3.0 == 3L},
 *       {@code 1 == true}. They order numerically, {@code false < true}.
 *   <li>A string never equals a number, and the two cannot be ordered against each other.
 * </ul>
 *
 * {@link #canonical} maps a label to a key whose {@code equals}/{@code hashCode} implement this
 * equality, so labels can key ordinary hash maps. Stateless and thread-safe.
 */
public final class Labels {
    private static final double TWO_63 = 0x1p63;

    /** Orders strings by code point. */
    public static final Comparator<String> CODE_POINT_ORDER = Labels::compareCodePoints;

    /** Orders canonical or raw labels: numbers by value, strings by code point. */
    public static final Comparator<Object> LABEL_ORDER = Labels::compare;

    private Labels() {}

    /**
     * The canonical form of a label: a {@code String}, a {@code Long} (every integral number,
     * booleans as 0/1) or a {@code Double} (non-integral, or beyond the long range); {@link
     * Missing#MISSING} stays itself. Two labels are equal in Python iff their canonical forms are
     * {@link Object#equals}.
     *
     * @throws IllegalArgumentException for values that are not labels
     */
    public static Object canonical(Object label) {
        if (label instanceof String || label instanceof Missing) {
            return label;
        }
        if (label instanceof Boolean) {
            return ((Boolean) label) ? 1L : 0L;
        }
        if (label instanceof Long) {
            return label;
        }
        if (label instanceof Integer || label instanceof Short || label instanceof Byte) {
            return ((Number) label).longValue();
        }
        if (label instanceof Double || label instanceof Float) {
            double d = ((Number) label).doubleValue();
            if (d == Math.rint(d) && d >= -TWO_63 && d < TWO_63) {
                return (long) d; // also folds -0.0 into 0, as Python's 0.0 == -0.0
            }
            return d;
        }
        throw new IllegalArgumentException("not a label (string, number or boolean): "
                + (label == null ? "null" : label.getClass().getName() + " " + label));
    }

    /** Python equality of two labels (MISSING equals nothing, not even itself). */
    public static boolean equal(@Nullable Object a, @Nullable Object b) {
        if (a == null || b == null || a == Missing.MISSING || b == Missing.MISSING) {
            return false;
        }
        return canonical(a).equals(canonical(b));
    }

    /** True for numbers and booleans (the labels that order numerically). */
    public static boolean isNumeric(Object label) {
        return label instanceof Number || label instanceof Boolean;
    }

    /**
     * Orders two labels of the same family.
     *
     * @throws IllegalArgumentException if one is a string and the other a number, or either is
     *     MISSING (which has no place in an order)
     */
    public static int compare(Object a, Object b) {
        if (a instanceof String && b instanceof String) {
            return compareCodePoints((String) a, (String) b);
        }
        if (isNumeric(a) && isNumeric(b)) {
            Object ca = canonical(a);
            Object cb = canonical(b);
            if (ca instanceof Long && cb instanceof Long) {
                return Long.compare((Long) ca, (Long) cb);
            }
            if (ca instanceof Double && cb instanceof Double) {
                return Double.compare((Double) ca, (Double) cb);
            }
            // exact comparison of a long with a double: no rounding through double
            return decimal(ca).compareTo(decimal(cb));
        }
        throw new IllegalArgumentException("cannot order " + describe(a) + " against " + describe(b));
    }

    private static BigDecimal decimal(Object canonical) {
        if (canonical instanceof Long) {
            return BigDecimal.valueOf((Long) canonical);
        }
        double d = (Double) canonical;
        if (Double.isInfinite(d)) {
            // beyond every long: a stand-in big enough for the comparison
            return BigDecimal.valueOf(d > 0 ? 1 : -1).scaleByPowerOfTen(400);
        }
        return new BigDecimal(d);
    }

    private static String describe(Object label) {
        return label == Missing.MISSING ? "a missing value"
                : (label instanceof String ? "string '" : "number '") + label + "'";
    }

    /** Lexicographic order of code points (not of UTF-16 units). */
    public static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                if (Character.isSurrogate(ca) || Character.isSurrogate(cb)) {
                    // the first difference lies in a surrogate: compare whole code points
                    return Integer.compare(a.codePointAt(start(a, i)), b.codePointAt(start(b, i)));
                }
                return Character.compare(ca, cb);
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    // A low surrogate at i whose high surrogate at i-1 is shared by both strings starts at i-1.
    private static int start(String s, int i) {
        return i > 0 && Character.isLowSurrogate(s.charAt(i)) && Character.isHighSurrogate(s.charAt(i - 1))
                ? i - 1 : i;
    }

    /**
     * Normalises a label given through the Java API: {@code Integer}/{@code Short}/{@code Byte}
     * become {@code Long}, {@code Float} becomes {@code Double}; {@code null}, NaN and {@link
     * Missing#MISSING} become MISSING (Python's {@code pd.isna} treats None and NaN alike).
     *
     * @throws IllegalArgumentException for values that are not labels
     */
    static Object normalizeInput(@Nullable Object v, String what) {
        if (v == null || v == Missing.MISSING) {
            return Missing.MISSING;
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isNaN(d) ? Missing.MISSING : (Object) d;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof String || v instanceof Long || v instanceof Boolean || v instanceof TextLabel) {
            return v; // a TextLabel is typed by its column when the plan is made
        }
        throw new IllegalArgumentException(what + " must be a string, number, boolean or Missing.MISSING, was "
                + v.getClass().getName() + " " + v);
    }
}
