package io.github.flinkanndata.source.record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The {@link TypeSerializer} of {@link CellBatch}es between operators and in state.
 *
 * <p>Layout, format 2: the format byte; epoch, cell count {@code n}; the global indices, store
 * indices and rows ({@code n} each); then the matrices and the obsm entries, each a count and
 * (key, block) pairs; then the obs keys, a count and (key, {@code n} values) pairs. A block is a
 * flag byte (1: sparse, 2: some rows absent), the {@code n} widths, the {@code n + 1} offsets,
 * the indices (sparse), the float32 values, and the presence flags (flag 2). Arrays go out in
 * bulk, little-endian; single values big-endian, as {@link DataOutputView} writes them.
 *
 * <p>Format 1 (still read: it may be in checkpoints) is the same with big-endian arrays. Format 2
 * exists for speed: the arrays are the bulk of a batch (megabytes), and swapping every element on
 * both sides took a few percent of a serving job's CPU on little-endian machines, where the
 * little-endian copy is a plain memory copy.
 */
@Internal
public final class CellBatchSerializer extends RecordSerializer<CellBatch> {
    private static final long serialVersionUID = 1L;

    public static final CellBatchSerializer INSTANCE = new CellBatchSerializer();

    static final byte FORMAT_1 = 1;
    static final byte FORMAT_2 = 2;
    private static final byte SPARSE = 1;
    private static final byte PARTIAL = 2;
    private static final int CHUNK = 8192; // bytes per bulk write

    private static final CellBatch EMPTY = new CellBatch(0, new long[0], new int[0], new long[0],
            Collections.emptyMap(), Collections.emptyMap(), Collections.emptyMap());

    @Override
    public CellBatch createInstance() {
        return EMPTY;
    }

    @Override
    public void serialize(CellBatch b, DataOutputView out) throws IOException {
        out.writeByte(FORMAT_2);
        out.writeInt(b.epoch());
        out.writeInt(b.size());
        writeLongs(b.globalIndex(), out);
        writeInts(b.storeIndex(), out);
        writeLongs(b.row(), out);
        writeBlocks(b.matrices(), out);
        writeBlocks(b.obsm(), out);
        out.writeInt(b.obs().size());
        for (Map.Entry<String, Object[]> e : b.obs().entrySet()) {
            out.writeUTF(e.getKey());
            for (Object v : e.getValue()) {
                ValueIO.writeObs(v, out);
            }
        }
    }

    @Override
    public CellBatch deserialize(DataInputView in) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT_1 && format != FORMAT_2) {
            throw new IOException("corrupt or newer cell batch: format " + format + ", this build reads 1 and 2");
        }
        ByteOrder order = format == FORMAT_1 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int epoch = in.readInt();
        int n = ValueIO.length(in.readInt());
        long[] global = readLongs(n, order, in);
        int[] store = readInts(n, order, in);
        long[] row = readLongs(n, order, in);
        Map<String, MatrixBlock> matrices = readBlocks(n, order, in);
        Map<String, MatrixBlock> obsm = readBlocks(n, order, in);
        int keys = ValueIO.length(in.readInt());
        Map<String, Object[]> obs = new LinkedHashMap<>();
        for (int k = 0; k < keys; k++) {
            String key = in.readUTF();
            Object[] values = new Object[n];
            for (int i = 0; i < n; i++) {
                values[i] = ValueIO.readObs(in);
            }
            obs.put(key, values);
        }
        try {
            return new CellBatch(epoch, global, store, row, matrices, obsm, obs);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt cell batch: " + e.getMessage(), e);
        }
    }

    private static void writeBlocks(Map<String, MatrixBlock> blocks, DataOutputView out) throws IOException {
        out.writeInt(blocks.size());
        for (Map.Entry<String, MatrixBlock> e : blocks.entrySet()) {
            out.writeUTF(e.getKey());
            MatrixBlock m = e.getValue();
            boolean[] present = m.presence();
            out.writeByte((m.isSparse() ? SPARSE : 0) | (present != null ? PARTIAL : 0));
            writeInts(m.widths(), out);
            writeInts(m.indptr(), out);
            if (m.isSparse()) {
                writeInts(m.indices(), out);
            }
            writeFloats(m.values(), out);
            if (present != null) {
                for (boolean p : present) {
                    out.writeBoolean(p);
                }
            }
        }
    }

    private static Map<String, MatrixBlock> readBlocks(int n, ByteOrder order, DataInputView in)
            throws IOException {
        int count = ValueIO.length(in.readInt());
        Map<String, MatrixBlock> out = new LinkedHashMap<>();
        for (int b = 0; b < count; b++) {
            String key = in.readUTF();
            byte flags = in.readByte();
            if ((flags & ~(SPARSE | PARTIAL)) != 0) {
                throw new IOException("corrupt cell batch: block flags " + flags);
            }
            int[] widths = readInts(n, order, in);
            int[] indptr = readInts(n + 1, order, in);
            int values = ValueIO.length(indptr[n]);
            int[] indices = (flags & SPARSE) != 0 ? readInts(values, order, in) : null;
            float[] v = readFloats(values, order, in);
            boolean[] present = null;
            if ((flags & PARTIAL) != 0) {
                present = new boolean[n];
                for (int i = 0; i < n; i++) {
                    present[i] = in.readBoolean();
                }
            }
            try {
                out.put(key, new MatrixBlock(indptr, indices, v, widths, present));
            } catch (IllegalArgumentException e) {
                throw new IOException("corrupt cell batch, block '" + key + "': " + e.getMessage(), e);
            }
        }
        return out;
    }

    // Bulk array I/O: one DataOutput call per chunk rather than per element (batches hold
    // hundreds of thousands of values). The three element types differ only in their width and
    // in which view of the chunk buffer moves them. Writing is always little-endian (format 2);
    // reading takes the order of the format read.

    /** Moves elements {@code [from, from + k)} of an array to or from a view of a chunk buffer. */
    private interface Elements {
        void move(ByteBuffer chunk, int from, int k);
    }

    private static void write(int length, int width, Elements put, DataOutputView out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK, width * length)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < length; ) {
            int k = Math.min(length - i, buf.capacity() / width);
            buf.clear();
            put.move(buf, i, k);
            out.write(buf.array(), 0, width * k);
            i += k;
        }
    }

    private static void read(int n, int width, ByteOrder order, Elements get, DataInputView in)
            throws IOException {
        byte[] bytes = new byte[Math.min(CHUNK, width * n)];
        for (int i = 0; i < n; ) {
            int k = Math.min(n - i, bytes.length / width);
            in.readFully(bytes, 0, width * k);
            get.move(ByteBuffer.wrap(bytes, 0, width * k).order(order), i, k);
            i += k;
        }
    }

    static void writeInts(int[] a, DataOutputView out) throws IOException {
        write(a.length, 4, (buf, i, k) -> buf.asIntBuffer().put(a, i, k), out);
    }

    static int[] readInts(int n, ByteOrder order, DataInputView in) throws IOException {
        int[] a = new int[n];
        read(n, 4, order, (buf, i, k) -> buf.asIntBuffer().get(a, i, k), in);
        return a;
    }

    static void writeLongs(long[] a, DataOutputView out) throws IOException {
        write(a.length, 8, (buf, i, k) -> buf.asLongBuffer().put(a, i, k), out);
    }

    static long[] readLongs(int n, ByteOrder order, DataInputView in) throws IOException {
        long[] a = new long[n];
        read(n, 8, order, (buf, i, k) -> buf.asLongBuffer().get(a, i, k), in);
        return a;
    }

    static void writeFloats(float[] a, DataOutputView out) throws IOException {
        write(a.length, 4, (buf, i, k) -> buf.asFloatBuffer().put(a, i, k), out);
    }

    static float[] readFloats(int n, ByteOrder order, DataInputView in) throws IOException {
        float[] a = new float[n];
        read(n, 4, order, (buf, i, k) -> buf.asFloatBuffer().get(a, i, k), in);
        return a;
    }

    @Override
    public TypeSerializerSnapshot<CellBatch> snapshotConfiguration() {
        return new CellBatchSerializerSnapshot();
    }

    /** Snapshot of the (stateless) serializer; restores {@link #INSTANCE}. */
    public static final class CellBatchSerializerSnapshot extends SimpleTypeSerializerSnapshot<CellBatch> {
        public CellBatchSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
