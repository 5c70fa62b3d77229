package io.github.flinkanndata.source.record;

import org.apache.flink.annotation.Internal;

/**
 * Widening or narrowing of a primitive numeric array to {@code float[]}: the one element type the
 * SQL and Python rows use for matrix and obsm values, whatever the store's dtype.
 */
@Internal
public final class FloatArrays {
    private FloatArrays() {}

    /**
     * The values of a primitive numeric array as floats (booleans as 0 and 1). A {@code float[]} is
     * returned as it is, not copied: records are immutable by convention.
     *
     * @throws IllegalArgumentException if {@code values} is not a primitive numeric array
     */
    public static float[] of(Object values) {
        if (values instanceof float[]) {
            return (float[]) values;
        }
        if (values instanceof double[]) {
            double[] a = (double[]) values;
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = (float) a[i];
            }
            return out;
        }
        if (values instanceof long[]) {
            long[] a = (long[]) values;
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
            return out;
        }
        if (values instanceof int[]) {
            int[] a = (int[]) values;
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
            return out;
        }
        if (values instanceof short[]) {
            short[] a = (short[]) values;
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
            return out;
        }
        if (values instanceof byte[]) {
            byte[] a = (byte[]) values;
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
            return out;
        }
        if (values instanceof boolean[]) {
            boolean[] a = (boolean[]) values;
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i] ? 1f : 0f;
            }
            return out;
        }
        throw new IllegalArgumentException("not a numeric array: " + values.getClass().getSimpleName());
    }
}
