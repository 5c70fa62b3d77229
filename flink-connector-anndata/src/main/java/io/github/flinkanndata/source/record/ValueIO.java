package io.github.flinkanndata.source.record;

import io.github.flinkanndata.collection.MatrixRow;
import io.github.flinkanndata.collection.Missing;
import io.github.flinkanndata.format.tree.DataType;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Binary forms of matrix rows and obs values inside a record. Type codes are fixed numbers, never
 * enum ordinals, so reordering an enum can not change the bytes of existing checkpoints.
 */
@Internal
final class ValueIO {
    private ValueIO() {}

    // DataType codes (stable; append only)
    private static final DataType[] TYPES = {
        DataType.BOOL, DataType.INT8, DataType.INT16, DataType.INT32, DataType.INT64,
        DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64,
        DataType.FLOAT32, DataType.FLOAT64
    };

    // obs value tags (stable; append only)
    private static final byte MISSING = 0;
    private static final byte CODE = 1;
    private static final byte STRING = 2;
    private static final byte LONG = 3;
    private static final byte DOUBLE = 4;
    private static final byte BOOLEAN = 5;
    /** A string too long for {@code writeUTF} (its encoded form is capped at 64 KiB). */
    private static final byte LONG_STRING = 6;
    /** Above this many chars the modified UTF-8 form may pass 65,535 bytes (3 bytes per char). */
    private static final int SHORT_STRING_CHARS = 65_535 / 3;

    /**
     * Format 2: set in a row's type code byte when the row has a shape of two or more dimensions
     * (a row of an N-D obsm entry); the rank (a byte) and the dimensions (ints) follow the byte.
     * Type codes stay below it, so a format 1 byte never has it.
     */
    static final int SHAPED = 0x40;
    /** numpy arrays have at most 64 dimensions, so a row at most 63. */
    private static final int MAX_ROW_DIMS = 63;

    /** Upper bound on array lengths read back, so a corrupt length cannot exhaust the heap. */
    private static final int MAX_LENGTH = 1 << 28;

    /**
     * Writes a row: the type code, for a shaped row (format 2) flagged {@link #SHAPED} and followed
     * by the rank and the dimensions; the width; whether it is sparse; the values. A row without a
     * shape is written exactly as format 1 wrote it.
     */
    static void writeRow(MatrixRow row, DataOutputView out) throws IOException {
        int ndim = row.ndim();
        if (ndim == 1) {
            out.writeByte(typeCode(row.type()));
        } else {
            out.writeByte(typeCode(row.type()) | SHAPED);
            out.writeByte(ndim);
            for (int d : row.shape()) {
                out.writeInt(d);
            }
        }
        out.writeInt(row.width());
        out.writeBoolean(row.isSparse());
        if (row.isSparse()) {
            int[] idx = row.indices();
            out.writeInt(idx.length);
            for (int i : idx) {
                out.writeInt(i);
            }
            writeArray(row.type(), row.values(), out);
        } else {
            writeArray(row.type(), row.dense(), out);
        }
    }

    /** Reads a row of format 1 or 2 (format 2 adds shaped rows; its other rows are format 1's). */
    static MatrixRow readRow(DataInputView in) throws IOException {
        byte code = in.readByte();
        DataType type = typeOf(code);
        int[] shape = (code & SHAPED) != 0 ? readShape(in) : null;
        int width = length(in.readInt());
        MatrixRow row;
        if (in.readBoolean()) {
            int nnz = length(in.readInt());
            int[] idx = new int[nnz];
            for (int i = 0; i < nnz; i++) {
                idx[i] = in.readInt();
            }
            row = MatrixRow.sparse(type, width, idx, readArray(type, nnz, in));
        } else {
            row = MatrixRow.dense(type, readArray(type, width, in));
        }
        if (shape == null) {
            return row;
        }
        try {
            return row.withShape(shape);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt record: " + e.getMessage(), e);
        }
    }

    private static int[] readShape(DataInputView in) throws IOException {
        int ndim = in.readUnsignedByte();
        if (ndim < 2 || ndim > MAX_ROW_DIMS) {
            throw new IOException("corrupt record: a shaped row of " + ndim + " dimensions");
        }
        int[] shape = new int[ndim];
        for (int i = 0; i < ndim; i++) {
            shape[i] = length(in.readInt());
        }
        return shape;
    }

    private static void writeArray(DataType type, Object a, DataOutputView out) throws IOException {
        switch (type) {
            case BOOL:
                for (boolean v : (boolean[]) a) {
                    out.writeBoolean(v);
                }
                break;
            case INT8:
                out.write((byte[]) a);
                break;
            case INT16:
                for (short v : (short[]) a) {
                    out.writeShort(v);
                }
                break;
            case INT32:
            case UINT8:
            case UINT16:
                for (int v : (int[]) a) {
                    out.writeInt(v);
                }
                break;
            case INT64:
            case UINT32:
            case UINT64:
                for (long v : (long[]) a) {
                    out.writeLong(v);
                }
                break;
            case FLOAT32:
                for (float v : (float[]) a) {
                    out.writeFloat(v);
                }
                break;
            case FLOAT64:
                for (double v : (double[]) a) {
                    out.writeDouble(v);
                }
                break;
            default:
                throw new IOException("matrix rows of type " + type + " cannot be serialized");
        }
    }

    private static Object readArray(DataType type, int n, DataInputView in) throws IOException {
        switch (type) {
            case BOOL: {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.readBoolean();
                }
                return a;
            }
            case INT8: {
                byte[] a = new byte[n];
                in.readFully(a);
                return a;
            }
            case INT16: {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.readShort();
                }
                return a;
            }
            case INT32:
            case UINT8:
            case UINT16: {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.readInt();
                }
                return a;
            }
            case INT64:
            case UINT32:
            case UINT64: {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.readLong();
                }
                return a;
            }
            case FLOAT32: {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.readFloat();
                }
                return a;
            }
            default: {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.readDouble();
                }
                return a;
            }
        }
    }

    static void writeObs(Object v, DataOutputView out) throws IOException {
        if (v == Missing.MISSING) {
            out.writeByte(MISSING);
        } else if (v instanceof Integer) {
            out.writeByte(CODE);
            out.writeInt((Integer) v);
        } else if (v instanceof String && ((String) v).length() <= SHORT_STRING_CHARS) {
            out.writeByte(STRING);
            out.writeUTF((String) v);
        } else if (v instanceof String) {
            out.writeByte(LONG_STRING);
            StringValue.writeString((String) v, out);
        } else if (v instanceof Long) {
            out.writeByte(LONG);
            out.writeLong((Long) v);
        } else if (v instanceof Double) {
            out.writeByte(DOUBLE);
            out.writeDouble((Double) v);
        } else if (v instanceof Boolean) {
            out.writeByte(BOOLEAN);
            out.writeBoolean((Boolean) v);
        } else {
            throw new IOException("obs value of unexpected type " + (v == null ? "null" : v.getClass()));
        }
    }

    static Object readObs(DataInputView in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case MISSING:
                return Missing.MISSING;
            case CODE:
                return in.readInt();
            case STRING:
                return in.readUTF();
            case LONG:
                return in.readLong();
            case DOUBLE:
                return in.readDouble();
            case BOOLEAN:
                return in.readBoolean();
            case LONG_STRING:
                return StringValue.readString(in);
            default:
                throw new IOException("corrupt record: unknown obs value tag " + tag);
        }
    }

    private static byte typeCode(DataType t) throws IOException {
        for (int i = 0; i < TYPES.length; i++) {
            if (TYPES[i] == t) {
                return (byte) i;
            }
        }
        throw new IOException("matrix rows of type " + t + " cannot be serialized");
    }

    /** The type of a row's type code byte ({@link #SHAPED} aside). */
    private static DataType typeOf(byte code) throws IOException {
        int t = code & ~SHAPED;
        if (code < 0 || t >= TYPES.length) {
            throw new IOException("corrupt record: unknown value type code " + code);
        }
        return TYPES[t];
    }

    static int length(int n) throws IOException {
        if (n < 0 || n > MAX_LENGTH) {
            throw new IOException("corrupt record: length " + n);
        }
        return n;
    }
}
