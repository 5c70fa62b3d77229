package io.github.flinkanndata.format.h5ad;

import io.github.flinkanndata.format.tree.DataType;
import io.jhdf.dataset.DatasetReader;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.OrderedDataType;
import io.jhdf.object.datatype.StringData;
import io.jhdf.storage.HdfBackingStorage;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * Decodes the stored bytes of one HDF5 element type into the Java array of its {@link DataType}.
 *
 * <p>Numbers and booleans are decoded here rather than by jhdf, for three reasons: h5py booleans
 * (an int8 enum) would otherwise arrive as the strings "TRUE"/"FALSE", uint64 as {@code
 * BigInteger[]}, and bulk {@code ByteBuffer} views are much faster than jhdf's per-element path.
 * Variable-length strings need jhdf's global-heap lookup and are delegated to it. Compound records
 * are kept as raw bytes ({@link #width()} bytes per element); {@link CompoundFields} splits them.
 *
 * <p>Immutable and thread-safe.
 */
final class ElementDecoder {

    private final ElementKind kind;
    private final int storedSize;
    private final ByteOrder order;
    private final io.jhdf.object.datatype.DataType hdfType;
    private final boolean spacePadded;

    private ElementDecoder(io.jhdf.object.datatype.DataType hdfType) {
        this.kind = ElementKind.of(hdfType);
        this.hdfType = hdfType;
        this.storedSize = hdfType.getSize();
        this.order =
                hdfType instanceof OrderedDataType
                        ? ((OrderedDataType) hdfType).getByteOrder()
                        : ByteOrder.LITTLE_ENDIAN;
        this.spacePadded =
                hdfType instanceof StringData
                        && ((StringData) hdfType).getPaddingType()
                                == StringData.PaddingType.SPACE_PADDED;
    }

    static ElementDecoder of(io.jhdf.object.datatype.DataType hdfType) {
        return new ElementDecoder(hdfType);
    }

    ElementKind kind() {
        return kind;
    }

    DataType dataType() {
        return kind.dataType();
    }

    /** Bytes per element in the file. */
    int storedSize() {
        return storedSize;
    }

    /** Array slots per element in decoded arrays: the record size for records, else 1. */
    int width() {
        return kind == ElementKind.RECORD ? storedSize : 1;
    }

    boolean supported() {
        return kind != ElementKind.UNSUPPORTED;
    }

    io.jhdf.object.datatype.DataType hdfType() {
        return hdfType;
    }

    /** A new array for {@code elements} elements ({@code elements * width()} slots). */
    Object newArray(int elements) {
        int n = elements * width();
        switch (kind) {
            case BOOL:
                return new boolean[n];
            case INT8:
            case RECORD:
                return new byte[n];
            case INT16:
                return new short[n];
            case INT32:
            case UINT8:
            case UINT16:
                return new int[n];
            case INT64:
            case UINT32:
            case UINT64:
                return new long[n];
            case FLOAT16:
            case FLOAT32:
                return new float[n];
            case FLOAT64:
                return new double[n];
            case FIXED_STRING:
            case VLEN_STRING:
                return new String[n];
            default:
                return new Object[n];
        }
    }

    /**
     * Decodes {@code elements} elements stored from {@code bytes[0]}. The storage is needed only to
     * resolve variable-length strings in the global heap.
     */
    Object decode(byte[] bytes, int elements, HdfBackingStorage storage) {
        ByteBuffer bb = ByteBuffer.wrap(bytes, 0, elements * storedSize).slice().order(order);
        Object out = newArray(elements);
        switch (kind) {
            case BOOL:
                decodeBooleans(bytes, elements, (boolean[]) out);
                break;
            case FIXED_STRING:
                decodeFixedStrings(bytes, elements, (String[]) out);
                break;
            case VLEN_STRING:
                System.arraycopy(
                        DatasetReader.readDataset(hdfType, bb, elements, storage),
                        0,
                        out,
                        0,
                        elements);
                break;
            default:
                decodeNumbers(bb, elements, out);
        }
        return out;
    }

    /** Bulk buffer views where Java has the type, widening loops for the unsigned ones. */
    private void decodeNumbers(ByteBuffer bb, int elements, Object out) {
        switch (kind) {
            case INT8:
            case RECORD:
                bb.get((byte[]) out);
                break;
            case INT16:
                bb.asShortBuffer().get((short[]) out);
                break;
            case INT32:
                bb.asIntBuffer().get((int[]) out);
                break;
            case INT64:
            case UINT64: // the bit pattern, as DataType.UINT64 specifies
                bb.asLongBuffer().get((long[]) out);
                break;
            case FLOAT32:
                bb.asFloatBuffer().get((float[]) out);
                break;
            case FLOAT64:
                bb.asDoubleBuffer().get((double[]) out);
                break;
            case UINT8:
                for (int i = 0; i < elements; i++) {
                    ((int[]) out)[i] = bb.get(i) & 0xFF;
                }
                break;
            case UINT16:
                for (int i = 0; i < elements; i++) {
                    ((int[]) out)[i] = bb.getShort(2 * i) & 0xFFFF;
                }
                break;
            case UINT32:
                for (int i = 0; i < elements; i++) {
                    ((long[]) out)[i] = bb.getInt(4 * i) & 0xFFFFFFFFL;
                }
                break;
            case FLOAT16:
                for (int i = 0; i < elements; i++) {
                    ((float[]) out)[i] = FloatingPoint.toFloat(bb.getShort(2 * i));
                }
                break;
            default:
                throw new IllegalStateException("cannot decode " + kind);
        }
    }

    /** Any non-zero byte makes an element true, whatever the base size and byte order. */
    private void decodeBooleans(byte[] bytes, int elements, boolean[] out) {
        for (int i = 0; i < elements; i++) {
            boolean v = false;
            for (int b = i * storedSize; b < (i + 1) * storedSize; b++) {
                v |= bytes[b] != 0;
            }
            out[i] = v;
        }
    }

    /** Fixed strings end at the first NUL (null-terminated or null-padded) or are space-padded. */
    private void decodeFixedStrings(byte[] bytes, int elements, String[] out) {
        for (int i = 0; i < elements; i++) {
            int start = i * storedSize;
            int end = start;
            while (end < start + storedSize && bytes[end] != 0) {
                end++;
            }
            while (spacePadded && end > start && bytes[end - 1] == ' ') {
                end--;
            }
            // ASCII and UTF-8 are the only HDF5 charsets; UTF-8 decodes both
            out[i] = new String(bytes, start, end - start, StandardCharsets.UTF_8);
        }
    }

    /**
     * Writes the fill value into slots {@code [from, to)} of {@code out}, an array of this
     * decoder's type: what HDF5 returns for data never written. {@code fill} is jhdf's decoded
     * fill value, or null for the default (zero, false, ""). Records keep their zero bytes, as do
     * numbers with the default fill (a new Java array already holds them).
     */
    void fill(Object out, int from, int to, @Nullable Object fill) {
        if (out instanceof String[]) {
            Arrays.fill((String[]) out, from, to, fill instanceof String ? (String) fill : "");
        } else if (out instanceof boolean[]) {
            // jhdf decodes an enum fill value to its name
            Arrays.fill(
                    (boolean[]) out,
                    from,
                    to,
                    "TRUE".equals(fill) || Boolean.TRUE.equals(fill) || asLong(fill) != 0);
        } else if (fill != null && kind != ElementKind.RECORD) {
            fillNumbers(out, from, to, fill);
        }
    }

    private static void fillNumbers(Object out, int from, int to, Object fill) {
        if (out instanceof byte[]) {
            Arrays.fill((byte[]) out, from, to, (byte) asLong(fill));
        } else if (out instanceof short[]) {
            Arrays.fill((short[]) out, from, to, (short) asLong(fill));
        } else if (out instanceof int[]) {
            Arrays.fill((int[]) out, from, to, (int) asLong(fill));
        } else if (out instanceof long[]) {
            Arrays.fill((long[]) out, from, to, asLong(fill));
        } else if (out instanceof float[]) {
            Arrays.fill((float[]) out, from, to, (float) asDouble(fill));
        } else if (out instanceof double[]) {
            Arrays.fill((double[]) out, from, to, asDouble(fill));
        }
    }

    private static long asLong(@Nullable Object v) {
        if (v instanceof BigInteger) {
            return ((BigInteger) v).longValue();
        }
        return v instanceof Number ? ((Number) v).longValue() : 0;
    }

    private static double asDouble(@Nullable Object v) {
        return v instanceof Number ? ((Number) v).doubleValue() : 0;
    }
}
