package io.github.flinkanndata.collection;

import io.github.flinkanndata.format.Values;
import io.github.flinkanndata.format.tree.DataType;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * The two typed loops every matrix row goes through: a whole-block type conversion ({@link
 * #cast}) and a gather with zero fill ({@link #gather}), which expresses the inner-join gather,
 * the outer-join scatter and CSR densification alike. One switch per call, tight loops inside.
 * Stateless; thread-safe.
 */
final class Kernels {
    private Kernels() {}

    /**
     * The values of a primitive array converted to the Java array of {@code target}; the array
     * itself when it already is one. Floats to integers truncate toward zero (Java narrowing:
     * NaN → 0, saturation); integers to narrower integers wrap, as numpy's {@code astype} does.
     */
    static Object cast(Object src, DataType target) {
        Class<?> cls = target.javaArrayType();
        if (src.getClass() == cls) {
            return src;
        }
        if (src instanceof double[] || src instanceof float[]) {
            return fromDoubles(toDoubles(src), cls);
        }
        return fromLongs(toLongs(src), cls);
    }

    private static double[] toDoubles(Object src) {
        if (src instanceof double[]) {
            return (double[]) src;
        }
        float[] f = (float[]) src;
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static long[] toLongs(Object src) {
        if (src instanceof long[]) {
            return (long[]) src;
        }
        int n = Values.length(src);
        long[] l = new long[n];
        if (src instanceof int[]) {
            int[] a = (int[]) src;
            for (int i = 0; i < n; i++) {
                l[i] = a[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                l[i] = Values.asLong(src, i); // byte, short, boolean: rare as matrix types
            }
        }
        return l;
    }

    private static Object fromDoubles(double[] d, Class<?> cls) {
        int n = d.length;
        if (cls == double[].class) {
            return d;
        } else if (cls == float[].class) {
            float[] o = new float[n];
            for (int i = 0; i < n; i++) {
                o[i] = (float) d[i];
            }
            return o;
        } else if (cls == long[].class) {
            long[] o = new long[n];
            for (int i = 0; i < n; i++) {
                o[i] = (long) d[i];
            }
            return o;
        } else if (cls == int[].class) {
            int[] o = new int[n];
            for (int i = 0; i < n; i++) {
                o[i] = (int) d[i];
            }
            return o;
        } else if (cls == short[].class) {
            short[] o = new short[n];
            for (int i = 0; i < n; i++) {
                o[i] = (short) d[i];
            }
            return o;
        } else if (cls == byte[].class) {
            byte[] o = new byte[n];
            for (int i = 0; i < n; i++) {
                o[i] = (byte) d[i];
            }
            return o;
        }
        throw new IllegalArgumentException("no conversion to " + cls.getSimpleName());
    }

    private static Object fromLongs(long[] l, Class<?> cls) {
        int n = l.length;
        if (cls == long[].class) {
            return l;
        } else if (cls == double[].class) {
            double[] o = new double[n];
            for (int i = 0; i < n; i++) {
                o[i] = l[i];
            }
            return o;
        } else if (cls == float[].class) {
            float[] o = new float[n];
            for (int i = 0; i < n; i++) {
                o[i] = l[i];
            }
            return o;
        } else if (cls == int[].class) {
            int[] o = new int[n];
            for (int i = 0; i < n; i++) {
                o[i] = (int) l[i];
            }
            return o;
        } else if (cls == short[].class) {
            short[] o = new short[n];
            for (int i = 0; i < n; i++) {
                o[i] = (short) l[i];
            }
            return o;
        } else if (cls == byte[].class) {
            byte[] o = new byte[n];
            for (int i = 0; i < n; i++) {
                o[i] = (byte) l[i];
            }
            return o;
        }
        throw new IllegalArgumentException("no conversion to " + cls.getSimpleName());
    }

    /**
     * A new array of {@code n} values of the same type as {@code src}: {@code out[k] =
     * src[base + idx[k]]}, or zero where {@code idx[k] < 0}. A null {@code idx} copies {@code
     * src[base, base + n)}.
     */
    static Object gather(Object src, int base, @Nullable int[] idx, int n) {
        if (idx == null) {
            if (src instanceof float[]) {
                return Arrays.copyOfRange((float[]) src, base, base + n);
            } else if (src instanceof int[]) {
                return Arrays.copyOfRange((int[]) src, base, base + n);
            } else if (src instanceof double[]) {
                return Arrays.copyOfRange((double[]) src, base, base + n);
            } else if (src instanceof long[]) {
                return Arrays.copyOfRange((long[]) src, base, base + n);
            }
            Object out = java.lang.reflect.Array.newInstance(src.getClass().getComponentType(), n);
            System.arraycopy(src, base, out, 0, n);
            return out;
        }
        if (src instanceof float[]) {
            float[] a = (float[]) src;
            float[] o = new float[n];
            for (int k = 0; k < n; k++) {
                o[k] = idx[k] < 0 ? 0 : a[base + idx[k]];
            }
            return o;
        } else if (src instanceof double[]) {
            double[] a = (double[]) src;
            double[] o = new double[n];
            for (int k = 0; k < n; k++) {
                o[k] = idx[k] < 0 ? 0 : a[base + idx[k]];
            }
            return o;
        } else if (src instanceof int[]) {
            int[] a = (int[]) src;
            int[] o = new int[n];
            for (int k = 0; k < n; k++) {
                o[k] = idx[k] < 0 ? 0 : a[base + idx[k]];
            }
            return o;
        } else if (src instanceof long[]) {
            long[] a = (long[]) src;
            long[] o = new long[n];
            for (int k = 0; k < n; k++) {
                o[k] = idx[k] < 0 ? 0 : a[base + idx[k]];
            }
            return o;
        } else if (src instanceof short[]) {
            short[] a = (short[]) src;
            short[] o = new short[n];
            for (int k = 0; k < n; k++) {
                o[k] = idx[k] < 0 ? 0 : a[base + idx[k]];
            }
            return o;
        } else if (src instanceof byte[]) {
            byte[] a = (byte[]) src;
            byte[] o = new byte[n];
            for (int k = 0; k < n; k++) {
                o[k] = idx[k] < 0 ? 0 : a[base + idx[k]];
            }
            return o;
        } else if (src instanceof boolean[]) {
            boolean[] a = (boolean[]) src;
            boolean[] o = new boolean[n];
            for (int k = 0; k < n; k++) {
                o[k] = idx[k] >= 0 && a[base + idx[k]];
            }
            return o;
        }
        throw new IllegalArgumentException("not a primitive array: " + src.getClass());
    }

    /**
     * A dense row of {@code width} values of the same type as {@code src}: entry {@code e} of
     * {@code [lo, hi)} goes to {@code map[cols[e]]} (or {@code cols[e]} when {@code map} is null;
     * dropped where the map gives -1), zero elsewhere. Entries are written in order, so for a
     * repeated column the last entry wins.
     */
    static Object scatter(Object src, int lo, int hi, int[] cols, @Nullable int[] map, int width) {
        if (src instanceof float[]) {
            float[] a = (float[]) src;
            float[] o = new float[width];
            if (map == null) {
                for (int e = lo; e < hi; e++) {
                    o[cols[e]] = a[e];
                }
            } else {
                for (int e = lo; e < hi; e++) {
                    int j = map[cols[e]];
                    if (j >= 0) {
                        o[j] = a[e];
                    }
                }
            }
            return o;
        } else if (src instanceof double[]) {
            double[] a = (double[]) src;
            double[] o = new double[width];
            for (int e = lo; e < hi; e++) {
                int j = map == null ? cols[e] : map[cols[e]];
                if (j >= 0) {
                    o[j] = a[e];
                }
            }
            return o;
        } else if (src instanceof int[]) {
            int[] a = (int[]) src;
            int[] o = new int[width];
            for (int e = lo; e < hi; e++) {
                int j = map == null ? cols[e] : map[cols[e]];
                if (j >= 0) {
                    o[j] = a[e];
                }
            }
            return o;
        } else if (src instanceof long[]) {
            long[] a = (long[]) src;
            long[] o = new long[width];
            for (int e = lo; e < hi; e++) {
                int j = map == null ? cols[e] : map[cols[e]];
                if (j >= 0) {
                    o[j] = a[e];
                }
            }
            return o;
        }
        // short, byte, boolean: rare as matrix types; the general gather keeps them right
        int[] idx = new int[width];
        Arrays.fill(idx, -1);
        for (int e = lo; e < hi; e++) {
            int j = map == null ? cols[e] : map[cols[e]];
            if (j >= 0) {
                idx[j] = e;
            }
        }
        return gather(src, 0, idx, width);
    }

    /** Positions of the entries of a dense array that are not +0 (so -0.0 and NaN count). */
    static int[] nonZeroPositions(Object dense) {
        int n = Values.length(dense);
        int[] pos = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (Double.doubleToRawLongBits(Values.asDouble(dense, i)) != 0L) {
                pos[m++] = i;
            }
        }
        return Arrays.copyOf(pos, m);
    }

    /**
     * Copies {@code n} values of a primitive numeric array from {@code from} into {@code dst} at
     * {@code pos} as floats (booleans as 0 and 1): how a batch takes its rows straight out of a
     * range-read block, without a per-row array.
     */
    static void copyToFloat(Object src, int from, float[] dst, int pos, int n) {
        if (src instanceof float[]) {
            System.arraycopy(src, from, dst, pos, n);
        } else if (src instanceof double[]) {
            double[] a = (double[]) src;
            for (int k = 0; k < n; k++) {
                dst[pos + k] = (float) a[from + k];
            }
        } else if (src instanceof int[]) {
            int[] a = (int[]) src;
            for (int k = 0; k < n; k++) {
                dst[pos + k] = a[from + k];
            }
        } else if (src instanceof long[]) {
            long[] a = (long[]) src;
            for (int k = 0; k < n; k++) {
                dst[pos + k] = a[from + k];
            }
        } else if (src instanceof short[]) {
            short[] a = (short[]) src;
            for (int k = 0; k < n; k++) {
                dst[pos + k] = a[from + k];
            }
        } else if (src instanceof byte[]) {
            byte[] a = (byte[]) src;
            for (int k = 0; k < n; k++) {
                dst[pos + k] = a[from + k];
            }
        } else if (src instanceof boolean[]) {
            boolean[] a = (boolean[]) src;
            for (int k = 0; k < n; k++) {
                dst[pos + k] = a[from + k] ? 1f : 0f;
            }
        } else {
            throw new IllegalArgumentException("not a numeric array: " + src.getClass().getSimpleName());
        }
    }

    /** One value of a primitive numeric array as a float (booleans as 0 and 1). */
    static float floatAt(Object src, int i) {
        if (src instanceof float[]) {
            return ((float[]) src)[i];
        } else if (src instanceof double[]) {
            return (float) ((double[]) src)[i];
        } else if (src instanceof int[]) {
            return ((int[]) src)[i];
        } else if (src instanceof long[]) {
            return ((long[]) src)[i];
        } else if (src instanceof short[]) {
            return ((short[]) src)[i];
        } else if (src instanceof byte[]) {
            return ((byte[]) src)[i];
        } else if (src instanceof boolean[]) {
            return ((boolean[]) src)[i] ? 1f : 0f;
        }
        throw new IllegalArgumentException("not a numeric array: " + src.getClass().getSimpleName());
    }
}
