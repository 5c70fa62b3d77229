package io.github.flinkanndata.examples.common;

/** The values of a matrix row ({@code MatrixRow.values()}), a primitive array of the stored type, as doubles. */
public final class StoredValues {
    private StoredValues() {}

    /** A new array of {@code values} (any numeric or boolean array) as doubles, booleans as 0/1. */
    public static double[] asDoubles(Object values) {
        if (values instanceof double[] d) {
            return d.clone();
        }
        if (values instanceof boolean[] b) {
            double[] out = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                out[i] = b[i] ? 1 : 0;
            }
            return out;
        }
        if (values == null || !values.getClass().isArray() || !values.getClass().getComponentType().isPrimitive()
                || values instanceof char[]) {
            throw new IllegalArgumentException("not a numeric array: " + (values == null ? null : values.getClass()));
        }
        double[] out = new double[java.lang.reflect.Array.getLength(values)];
        for (int i = 0; i < out.length; i++) {
            out[i] = java.lang.reflect.Array.getDouble(values, i);
        }
        return out;
    }
}
