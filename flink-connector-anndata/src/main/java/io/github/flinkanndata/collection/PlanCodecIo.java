package io.github.flinkanndata.collection;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.annotation.Nullable;

/**
 * The primitive forms of {@link CollectionPlanCodec}: strings, string lists, labels, flags and
 * int arrays, each written by a static method and read by {@link Reader}, which validates as it
 * reads and names the part of the plan it was reading when the input turns out corrupt.
 *
 * <p>Reads never allocate in proportion to a count they have not yet seen backed by bytes: lists
 * and arrays grow in chunks as elements arrive, so an absurd count in corrupt input ends in an
 * {@link EOFException}, not an {@link OutOfMemoryError}. Stateless (the reader holds one decoder
 * and the current position's name, so it is confined to one read).
 */
final class PlanCodecIo {
    /** The longest string the format holds, in UTF-8 bytes (a path, a key, a gene, a label). */
    static final int MAX_STRING_BYTES = 1 << 24;
    /** The longest list or array the format holds (the JVM's practical array limit). */
    static final int MAX_COUNT = Integer.MAX_VALUE - 8;

    // label tags
    static final int MISSING = 0;
    static final int STRING = 1;
    static final int LONG = 2;
    static final int DOUBLE = 3;
    static final int BOOLEAN = 4;

    /** Elements per step when arrays are read or written in bulk, and the first list capacity. */
    private static final int CHUNK = 1 << 14;

    private PlanCodecIo() {}

    /** An int byte length, then the UTF-8 bytes. Strict: an unpaired surrogate is refused. */
    static void writeString(DataOutput out, String s) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                // String.getBytes would write '?' instead: a silent change of the value
                throw new IOException("cannot encode a string with an unpaired surrogate at char " + i + ": "
                        + s.substring(0, Math.min(s.length(), 80)));
            }
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING_BYTES) {
            throw new IOException("cannot encode a string of " + bytes.length + " UTF-8 bytes (at most "
                    + MAX_STRING_BYTES + "): " + s.substring(0, 80) + "...");
        }
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** An int count, then the strings. */
    static void writeStrings(DataOutput out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            writeString(out, s);
        }
    }

    /** A presence flag, then the list if present. */
    static void writeOptionalStrings(DataOutput out, @Nullable List<String> list) throws IOException {
        out.writeBoolean(list != null);
        if (list != null) {
            writeStrings(out, list);
        }
    }

    /** A tag byte, then the value: nothing, a string, a long, IEEE double bits, a 0/1 byte. */
    static void writeLabel(DataOutput out, Object label) throws IOException {
        if (label == Missing.MISSING) {
            out.writeByte(MISSING);
        } else if (label instanceof String) {
            out.writeByte(STRING);
            writeString(out, (String) label);
        } else if (label instanceof Long) {
            out.writeByte(LONG);
            out.writeLong((Long) label);
        } else if (label instanceof Double) {
            out.writeByte(DOUBLE);
            out.writeLong(Double.doubleToRawLongBits((Double) label)); // exact, -0.0 included
        } else if (label instanceof Boolean) {
            out.writeByte(BOOLEAN);
            out.writeBoolean((Boolean) label);
        } else {
            // the plan only ever holds normalised labels; anything else is a bug upstream
            throw new IOException("cannot encode label " + label + " of type "
                    + (label == null ? "null" : label.getClass().getName())
                    + " (labels are String, Long, Double, Boolean or Missing.MISSING)");
        }
    }

    /** An int count, then the flags as 0/1 bytes. */
    static void writeBools(DataOutput out, boolean[] flags) throws IOException {
        out.writeInt(flags.length);
        for (boolean f : flags) {
            out.writeBoolean(f);
        }
    }

    /** An int count, then the ints, big-endian (written in chunks, not one call per int). */
    static void writeInts(DataOutput out, int[] values) throws IOException {
        out.writeInt(values.length);
        ByteBuffer buf = ByteBuffer.allocate(4 * Math.min(values.length, CHUNK));
        for (int i = 0; i < values.length; i += CHUNK) {
            int n = Math.min(CHUNK, values.length - i);
            buf.clear();
            buf.asIntBuffer().put(values, i, n);
            out.write(buf.array(), 0, 4 * n);
        }
    }

    /** Reads the forms above from one input, checking each value; one instance per read. */
    static final class Reader {
        private final DataInput in;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private String where = "the format version";

        Reader(DataInput in) {
            this.in = in;
        }

        /** Names the part of the plan read next, for error messages. */
        void at(String part) {
            where = part;
        }

        String where() {
            return where;
        }

        /** An error about the input at the current part. */
        IOException corrupt(String problem) {
            return new IOException("corrupt collection plan (" + where + "): " + problem);
        }

        int readInt() throws IOException {
            return in.readInt();
        }

        long readLong() throws IOException {
            return in.readLong();
        }

        /** A long in {@code [0, max]}. */
        long readLong(String what, long max) throws IOException {
            long v = in.readLong();
            if (v < 0 || v > max) {
                throw corrupt(what + " is " + v + ", outside [0, " + max + "]");
            }
            return v;
        }

        /** A byte that must be 0 or 1 (DataInput.readBoolean would take any non-zero byte). */
        boolean readBool() throws IOException {
            int b = in.readUnsignedByte();
            if (b > 1) {
                throw corrupt("a flag byte is " + b + ", not 0 or 1");
            }
            return b == 1;
        }

        /** An unsigned byte code in {@code [0, limit)}. */
        int readCode(String what, int limit) throws IOException {
            int b = in.readUnsignedByte();
            if (b >= limit) {
                throw corrupt(what + " code " + b + " is unknown (valid: 0.." + (limit - 1) + ")");
            }
            return b;
        }

        /** A count in {@code [0, max]}. */
        int readCount(String what, long max) throws IOException {
            int n = in.readInt();
            if (n < 0) {
                throw corrupt("negative count " + n + " of " + what);
            }
            if (n > max) {
                throw corrupt("count " + n + " of " + what + " exceeds " + max);
            }
            return n;
        }

        String readString() throws IOException {
            int n = readCount("string bytes", MAX_STRING_BYTES);
            // bounded by MAX_STRING_BYTES, so the allocation is too
            byte[] bytes = new byte[n];
            in.readFully(bytes);
            try {
                CharBuffer chars = utf8.decode(ByteBuffer.wrap(bytes));
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw corrupt("a string of " + n + " bytes is not valid UTF-8");
            }
        }

        /** An unmodifiable list (one that answers {@code contains(null)}, unlike List.of). */
        List<String> readStrings(String what) throws IOException {
            int n = readCount(what, MAX_COUNT);
            List<String> out = new ArrayList<>(Math.min(n, CHUNK));
            for (int i = 0; i < n; i++) {
                out.add(readString());
            }
            return Collections.unmodifiableList(out);
        }

        @Nullable
        List<String> readOptionalStrings(String what) throws IOException {
            return readBool() ? readStrings(what) : null;
        }

        Object readLabel() throws IOException {
            int tag = readCode("label tag", BOOLEAN + 1);
            switch (tag) {
                case MISSING:
                    return Missing.MISSING;
                case STRING:
                    return readString();
                case LONG:
                    return in.readLong();
                case DOUBLE:
                    return Double.longBitsToDouble(in.readLong());
                default:
                    return readBool();
            }
        }

        /** Flags whose count must be exactly {@code expected}. */
        boolean[] readBools(String what, int expected) throws IOException {
            int n = readCount(what, MAX_COUNT);
            if (n != expected) {
                throw corrupt(what + " has " + n + " entries, expected " + expected);
            }
            boolean[] out = new boolean[n];
            for (int i = 0; i < n; i++) {
                out[i] = readBool();
            }
            return out;
        }

        /** Ints whose count is at most {@code max}; the array grows as the bytes arrive. */
        int[] readInts(String what, long max) throws IOException {
            int n = readCount(what, max);
            int[] out = new int[Math.min(n, CHUNK)];
            byte[] chunk = new byte[4 * Math.min(n, CHUNK)];
            for (int i = 0; i < n; i += CHUNK) {
                int m = Math.min(CHUNK, n - i);
                in.readFully(chunk, 0, 4 * m);
                if (out.length < i + m) {
                    out = Arrays.copyOf(out, (int) Math.min(n, Math.max(2L * out.length, i + m)));
                }
                ByteBuffer.wrap(chunk, 0, 4 * m).asIntBuffer().get(out, i, m);
            }
            return out;
        }
    }
}
