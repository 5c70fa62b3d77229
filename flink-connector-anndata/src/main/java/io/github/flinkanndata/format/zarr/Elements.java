package io.github.flinkanndata.format.zarr;

import io.github.flinkanndata.format.tree.DataType;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns decoded chunk bytes into the Java arrays of {@link DataType#javaArrayType()}: numbers in
 * either byte order (unsigned types widened as DataType documents), booleans, and fixed-width
 * strings. Structured records stay raw bytes; their fields are converted by {@link ZarrArray}.
 */
final class Elements {

    private Elements() {}

    /**
     * Converts {@code n} elements of type {@code t} from {@code bytes} (exactly {@code n *
     * t.itemSize} long).
     */
    static Object fromBytes(byte[] bytes, ZarrDType t, ByteOrder order, int n) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(order);
        switch (t.dataType()) {
            case BOOL:
                {
                    boolean[] out = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        out[i] = bytes[i] != 0;
                    }
                    return out;
                }
            case INT8:
                return bytes.length == n ? bytes : Arrays.copyOf(bytes, n);
            case UINT8:
                {
                    int[] out = new int[n];
                    for (int i = 0; i < n; i++) {
                        out[i] = bytes[i] & 0xFF;
                    }
                    return out;
                }
            case INT16:
                {
                    short[] out = new short[n];
                    buf.asShortBuffer().get(out);
                    return out;
                }
            case UINT16:
                {
                    int[] out = new int[n];
                    ShortBuffer s = buf.asShortBuffer();
                    for (int i = 0; i < n; i++) {
                        out[i] = s.get(i) & 0xFFFF;
                    }
                    return out;
                }
            case INT32:
                {
                    int[] out = new int[n];
                    buf.asIntBuffer().get(out);
                    return out;
                }
            case UINT32:
                {
                    long[] out = new long[n];
                    IntBuffer s = buf.asIntBuffer();
                    for (int i = 0; i < n; i++) {
                        out[i] = s.get(i) & 0xFFFFFFFFL;
                    }
                    return out;
                }
            case INT64:
            case UINT64:
                {
                    long[] out = new long[n];
                    buf.asLongBuffer().get(out);
                    return out;
                }
            case FLOAT32:
                {
                    float[] out = new float[n];
                    buf.asFloatBuffer().get(out);
                    return out;
                }
            case FLOAT64:
                {
                    double[] out = new double[n];
                    buf.asDoubleBuffer().get(out);
                    return out;
                }
            case STRING:
                return fixedStrings(bytes, t, order, n);
            default:
                return bytes; // records: kept raw
        }
    }

    /** Whether {@link #into} handles the type: the numbers Java has a buffer view for. */
    static boolean convertsInto(ZarrDType t) {
        switch (t.kind == ZarrDType.Kind.STRUCT ? DataType.COMPOUND : t.dataType()) {
            case INT8:
            case INT16:
            case INT32:
            case INT64:
            case FLOAT32:
            case FLOAT64:
                return t.isFixedSize() && t.itemSize == t.dataType().storedSize();
            default:
                return false;
        }
    }

    /** As {@link #fromBytes}, into {@code out[pos, pos + n)} (for {@link #convertsInto} types). */
    static void into(byte[] bytes, ZarrDType t, ByteOrder order, int n, Object out, int pos) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(order);
        switch (t.dataType()) {
            case INT8:
                System.arraycopy(bytes, 0, out, pos, n);
                break;
            case INT16:
                buf.asShortBuffer().get((short[]) out, pos, n);
                break;
            case INT32:
                buf.asIntBuffer().get((int[]) out, pos, n);
                break;
            case INT64:
                buf.asLongBuffer().get((long[]) out, pos, n);
                break;
            case FLOAT32:
                buf.asFloatBuffer().get((float[]) out, pos, n);
                break;
            case FLOAT64:
                buf.asDoubleBuffer().get((double[]) out, pos, n);
                break;
            default:
                throw new IllegalArgumentException("no direct conversion for " + t);
        }
    }

    private static String[] fixedStrings(byte[] bytes, ZarrDType t, ByteOrder order, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            int off = i * t.itemSize;
            out[i] =
                    t.kind == ZarrDType.Kind.UTF32
                            ? utf32(bytes, off, t.itemSize, order)
                            : nulTrimmedUtf8(bytes, off, t.itemSize);
        }
        return out;
    }

    /** numpy strips trailing NULs from fixed-width strings; so do we. */
    static String nulTrimmedUtf8(byte[] b) {
        return nulTrimmedUtf8(b, 0, b.length);
    }

    static String nulTrimmedUtf8(byte[] b, int off, int len) {
        int end = off + len;
        while (end > off && b[end - 1] == 0) {
            end--;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** Decodes NUL-padded UTF-32; invalid code points become U+FFFD rather than an exception. */
    static String utf32(byte[] b, int off, int len, ByteOrder order) {
        ByteBuffer buf = ByteBuffer.wrap(b, off, len).order(order);
        int units = len / 4;
        while (units > 0 && buf.getInt(off + 4 * (units - 1)) == 0) {
            units--;
        }
        StringBuilder sb = new StringBuilder(units);
        for (int i = 0; i < units; i++) {
            int cp = buf.getInt(off + 4 * i);
            if (cp < 0 || cp > Character.MAX_CODE_POINT || (cp >= 0xD800 && cp <= 0xDFFF)) {
                sb.append('\uFFFD');
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }

    /** A new Java array of the type's {@link DataType#javaArrayType()}. */
    static Object newArray(DataType type, int n) {
        return Array.newInstance(type.javaArrayType().getComponentType(), n);
    }
}
