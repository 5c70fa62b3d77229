package io.github.flinkanndata.format;

import io.github.flinkanndata.annotation.Internal;
import io.github.flinkanndata.format.tree.DataType;

/** Small helpers over the primitive arrays that {@link io.github.flinkanndata.format.tree.ArrayNode} returns. */
@Internal
public final class Values {
    private Values() {}

    public static int length(Object array) {
        return java.lang.reflect.Array.getLength(array);
    }

    /** Element {@code i} of a numeric or boolean array as a double. */
    public static double asDouble(Object array, int i) {
        if (array instanceof float[]) {
            return ((float[]) array)[i];
        } else if (array instanceof double[]) {
            return ((double[]) array)[i];
        } else if (array instanceof int[]) {
            return ((int[]) array)[i];
        } else if (array instanceof long[]) {
            return ((long[]) array)[i];
        } else if (array instanceof short[]) {
            return ((short[]) array)[i];
        } else if (array instanceof byte[]) {
            return ((byte[]) array)[i];
        } else if (array instanceof boolean[]) {
            return ((boolean[]) array)[i] ? 1 : 0;
        }
        throw new IllegalArgumentException("not a numeric array: " + array.getClass());
    }

    /** Element {@code i} of an integer array as a long; for uint64 the caller checks the sign. */
    public static long asLong(Object array, int i) {
        if (array instanceof int[]) {
            return ((int[]) array)[i];
        } else if (array instanceof long[]) {
            return ((long[]) array)[i];
        } else if (array instanceof short[]) {
            return ((short[]) array)[i];
        } else if (array instanceof byte[]) {
            return ((byte[]) array)[i];
        } else if (array instanceof boolean[]) {
            return ((boolean[]) array)[i] ? 1 : 0;
        }
        throw new IllegalArgumentException("not an integer array: " + array.getClass());
    }

    /**
     * Element {@code i} as a label value: {@code Long} for integers, {@code Double} for floats,
     * {@code Boolean}, {@code String}; null for a float NaN (a missing value in pandas).
     */
    public static Object label(Object array, DataType type, int i) {
        switch (type) {
            case BOOL:
                return ((boolean[]) array)[i];
            case FLOAT32:
            case FLOAT64:
                double d = asDouble(array, i);
                return Double.isNaN(d) ? null : d;
            case STRING:
                return ((String[]) array)[i];
            case UINT64:
                long u = ((long[]) array)[i];
                return u >= 0 ? (Object) u : (Object) Double.parseDouble(Long.toUnsignedString(u));
            default:
                return asLong(array, i);
        }
    }

    /** Integer array converted to {@code int[]}, for codes and indices. */
    public static int[] toIntArray(Object array) {
        if (array instanceof int[]) {
            return (int[]) array;
        }
        int n = length(array);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            long v = asLong(array, i);
            out[i] = v > Integer.MAX_VALUE ? Integer.MAX_VALUE : v < Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) v;
        }
        return out;
    }
}
